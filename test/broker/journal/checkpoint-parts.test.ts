// The shared checkpoint is stored in parts cut at line ends, so every part is whole UTF-8 text.
import { describe, expect, it } from 'vitest';
import { partsOf } from '../../../src/broker/journal/pg-checkpoint.js';

describe('partsOf', () => {
  const body = Buffer.from(['{"a":"Siân"}', '{"b":"Ŵyn ✓"}', '{"c":"' + 'x'.repeat(40) + '"}', '{"d":1}'].map((l) => `${l}\n`).join(''), 'utf8');

  it('cuts at line ends, each part within the size unless one line is longer, and joins back to the body', () => {
    const parts = partsOf(body, 20);
    expect(Buffer.concat(parts).equals(body)).toBe(true);
    for (const part of parts) expect(part.at(-1)).toBe(10);
    expect(parts.map((p) => p.toString('utf8'))).toEqual(['{"a":"Siân"}\n', '{"b":"Ŵyn ✓"}\n', `{"c":"${'x'.repeat(40)}"}\n`, '{"d":1}\n']);
  });

  it('keeps a small body in one part', () => {
    expect(partsOf(body)).toEqual([body]);
    expect(partsOf(Buffer.alloc(0))).toEqual([]);
  });
});
