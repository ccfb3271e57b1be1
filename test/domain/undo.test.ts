import { describe, expect, it } from 'vitest';
import { RecentMap } from '../../src/domain/bounded-map.js';
import { UndoableMap, UndoableSet, UndoLog, type UndoHolder } from '../../src/domain/undo.js';

describe('undoable tables', () => {
  it('take back sets and deletes of later seqs, newest first, and keep what was forgotten', () => {
    const holder: UndoHolder = { log: new UndoLog() };
    const map = new UndoableMap<string, number>(holder);
    const set = new UndoableSet<string>(holder);
    holder.log!.begin(1);
    map.set('a', 1);
    set.add('x');
    holder.log!.begin(2);
    map.set('a', 2);
    map.set('b', 2);
    set.delete('x');
    holder.log!.begin(3);
    map.delete('a');
    set.add('y');
    holder.log!.forgetThrough(1);
    holder.log!.undoFrom(2);
    expect([...map]).toEqual([['a', 1]]);
    expect([...set]).toEqual(['x']);
    expect(holder.log!.pending).toBe(0);
  });

  it('record nothing without a log', () => {
    const holder: UndoHolder = { log: null };
    const map = new UndoableMap<string, number>(holder);
    map.set('a', 1);
    holder.log = new UndoLog();
    holder.log.undoFrom(0);
    expect(map.get('a')).toBe(1);
  });

  it('RecentMap: a set that swapped generations is taken back whole', () => {
    const holder: UndoHolder = { log: null };
    const m = new RecentMap<string, number>(3, holder);
    m.set('k1', 1);
    m.set('k2', 2);
    const before = structuredClone(m);
    holder.log = new UndoLog();
    holder.log.begin(7);
    m.set('k3', 3); // fills the generation: it becomes the previous one
    m.set('k4', 4);
    m.set('k1', 10);
    holder.log.undoFrom(7);
    expect(structuredClone(m)).toEqual(before);
    expect(m.get('k1')).toBe(1);
    expect(m.has('k3')).toBe(false);
  });
});
