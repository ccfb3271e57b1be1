import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Outbox } from '../../src/client/outbox.js';
import type { PendingCommand } from '../../src/client/types.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'courtdesk-outbox-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function reply(ref: string, text = 'Your hearing is on Monday.'): PendingCommand {
  return { command: { type: 'reply', ref, enquiryId: 'E1', text }, queuedAt: '2025-01-06T09:00:00.000Z' };
}

async function onDisk(file: string): Promise<{ version: number; pending: PendingCommand[] }> {
  return JSON.parse(await readFile(file, 'utf8'));
}

describe('Outbox in memory', () => {
  it('keeps commands in order and removes them by ref', () => {
    const { outbox, problem } = Outbox.open(undefined);
    expect(problem).toBeNull();
    outbox.add(reply('a'));
    outbox.add(reply('b'));
    outbox.add(reply('c'));
    expect(outbox.remove('b')?.command.ref).toBe('b');
    expect(outbox.remove('b')).toBeUndefined();
    expect(outbox.items.map((p) => p.command.ref)).toEqual(['a', 'c']);
    expect(outbox.has('a')).toBe(true);
    expect(outbox.has('b')).toBe(false);
  });

  it('gives a new array after each change so views can compare by identity', () => {
    const { outbox } = Outbox.open(undefined);
    const before = outbox.items;
    outbox.add(reply('a'));
    expect(outbox.items).not.toBe(before);
    expect(before).toEqual([]);
  });
});

describe('Outbox with a file', () => {
  it('writes the whole outbox on every change, readable by a later process', async () => {
    const file = join(dir, 'outbox.json');
    const { outbox } = Outbox.open(file);
    outbox.add(reply('a'));
    await outbox.flush();
    expect((await onDisk(file)).pending.map((p) => p.command.ref)).toEqual(['a']);

    outbox.add(reply('b', 'Diolch am eich neges.'));
    outbox.remove('a');
    await outbox.flush();
    const later = Outbox.open(file);
    expect(later.problem).toBeNull();
    expect(later.outbox.items).toEqual([reply('b', 'Diolch am eich neges.')]);
  });

  it('ends with the latest list when changes come faster than writes', async () => {
    const file = join(dir, 'outbox.json');
    const { outbox } = Outbox.open(file);
    for (let i = 0; i < 50; i++) outbox.add(reply(`r${i}`));
    for (let i = 0; i < 50; i += 2) outbox.remove(`r${i}`);
    await outbox.flush();
    const refs = (await onDisk(file)).pending.map((p) => p.command.ref);
    expect(refs).toEqual(Array.from({ length: 25 }, (_, i) => `r${2 * i + 1}`));
  });

  it('creates the file with mode 0600 and its folder if missing, and leaves no temp files', async () => {
    const file = join(dir, 'config', 'courtdesk', 'outbox.json');
    const { outbox } = Outbox.open(file);
    outbox.add(reply('a'));
    await outbox.flush();
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(await readdir(join(dir, 'config', 'courtdesk'))).toEqual(['outbox.json']);
  });

  it('replaces a file with looser permissions by one with mode 0600', async () => {
    const file = join(dir, 'outbox.json');
    await writeFile(file, JSON.stringify({ version: 1, pending: [] }), { mode: 0o644 });
    const { outbox } = Outbox.open(file);
    outbox.add(reply('a'));
    await outbox.flush();
    expect((await stat(file)).mode & 0o777).toBe(0o600);
  });

  it('does not keep open commands on disk (they record nothing and nobody waits for them after a restart)', async () => {
    const file = join(dir, 'outbox.json');
    const { outbox } = Outbox.open(file);
    outbox.add({ command: { type: 'open', ref: 'o1', enquiryId: 'E1' }, queuedAt: '2025-01-06T09:00:00.000Z' });
    outbox.add(reply('a'));
    await outbox.flush();
    expect(outbox.items).toHaveLength(2);
    expect((await onDisk(file)).pending.map((p) => p.command.ref)).toEqual(['a']);
  });

  it('moves an unreadable file aside instead of deleting it, and says where', async () => {
    const file = join(dir, 'outbox.json');
    await writeFile(file, '{"version":1,"pending":[{"command":{"type":"reply","ref":"a"');
    const { outbox, problem } = Outbox.open(file);
    expect(outbox.items).toEqual([]);
    expect(problem).toMatch(/could not be read \(it is not valid JSON\)\. It was moved to .*outbox\.json\.unreadable-\d+/);
    const names = await readdir(dir);
    expect(names.some((n) => n.startsWith('outbox.json.unreadable-'))).toBe(true);
    expect(names).not.toContain('outbox.json');
  });

  it('rejects a file whose commands are malformed, naming the entry', async () => {
    const file = join(dir, 'outbox.json');
    const bad = { version: 1, pending: [reply('a'), { command: { type: 'reply', ref: 'b', enquiryId: 'E1' }, queuedAt: 'x' }] };
    await writeFile(file, JSON.stringify(bad));
    const { outbox, problem } = Outbox.open(file);
    expect(outbox.items).toEqual([]);
    expect(problem).toMatch(/entry 1: "text" is missing/);
  });

  it('reports a failed write and keeps the commands in memory', async () => {
    // A regular file where the folder should be: fails for every user, root included.
    await writeFile(join(dir, 'not-a-folder'), '');
    const file = join(dir, 'not-a-folder', 'outbox.json');
    const errors: string[] = [];
    const { outbox } = Outbox.open(file, (m) => errors.push(m));
    outbox.add(reply('a'));
    await outbox.flush();
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/Could not save the outbox to .*outbox\.json .*kept in memory only/);
    expect(outbox.items.map((p) => p.command.ref)).toEqual(['a']);
  });
});
