// parseCommand against generated frames: it never throws, it answers every frame with a command
// that keeps the documented rules (docs/protocol.md, "Client → server: commands") or with an
// error naming what was wrong, and it refuses no frame that keeps them.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { COMMAND_FIELDS, parseCommand, type ParsedCommand } from '../../src/protocol/parse-command.js';
import { anyText, jsonObject, mostly, nastyString } from '../helpers/arbitraries.js';

const TYPES = Object.keys(COMMAND_FIELDS);
const FIELD_NAMES = [...new Set(Object.values(COMMAND_FIELDS).flatMap((f) => Object.keys(f)))];
const CODES = ['BAD_JSON', 'BAD_FRAME', 'UNKNOWN_COMMAND', 'BAD_REF', 'BAD_FIELD'];
const RUNS = { numRuns: 1000 };

// The rules as the protocol document states them, written out again here as the oracle.
const ID = /^[A-Za-z0-9_-]{1,64}$/;
const SLUG = /^[a-z0-9][a-z0-9-]{0,99}$/;
const AGENT = /^[A-Za-z0-9_.-]{1,64}$/;
const isText = (v: unknown) => typeof v === 'string' && v.trim() !== '' && v.length <= 4000;
const RULES: Record<string, (v: unknown) => boolean> = {
  enquiryId: (v) => typeof v === 'string' && ID.test(v),
  escalationId: (v) => typeof v === 'string' && ID.test(v),
  text: isText,
  caseNumber: (v) => typeof v === 'string' && v.trim() !== '' && v.length <= 40,
  toAgent: (v) => typeof v === 'string' && AGENT.test(v),
  agent: (v) => typeof v === 'string' && AGENT.test(v),
  state: (v) => v === 'available' || v === 'away',
  courtSlug: (v) => typeof v === 'string' && SLUG.test(v),
  template: (v) => typeof v === 'string' && SLUG.test(v),
  language: (v) => v === 'en' || v === 'cy',
  query: (v) => typeof v === 'string' && v.length <= 100,
  reason: isText,
  via: (v) => v === 'workbench' || v === 'show',
  fields: (v) =>
    typeof v === 'object' && v !== null && !Array.isArray(v) && Object.keys(v).length <= 40 && Object.values(v).every((t) => typeof t === 'string' && t.length <= 4000),
};
const OPTIONAL = new Set(['language', 'fields', 'query', 'reason', 'via', 'agent']);

/** Valid values for each field, for frames that should pass. */
const VALID: Record<string, fc.Arbitrary<string>> = {
  enquiryId: fc.stringMatching(ID),
  escalationId: fc.stringMatching(ID),
  text: fc.string({ minLength: 1, maxLength: 4000 }).filter((s) => s.trim() !== ''),
  caseNumber: fc.string({ minLength: 1, maxLength: 40 }).filter((s) => s.trim() !== ''),
  toAgent: fc.stringMatching(AGENT),
  agent: fc.stringMatching(AGENT),
  state: fc.constantFrom('available', 'away'),
  courtSlug: fc.stringMatching(SLUG),
  template: fc.stringMatching(SLUG),
  language: fc.constantFrom('en', 'cy'),
  query: fc.string({ maxLength: 100 }),
  reason: fc.string({ minLength: 1, maxLength: 4000 }).filter((s) => s.trim() !== ''),
  via: fc.constantFrom('workbench', 'show'),
};
const validFields = fc.dictionary(fc.string({ maxLength: 20 }), fc.string({ maxLength: 200 }), { maxKeys: 40 });
const validRef = fc.string({ minLength: 1, maxLength: 128 });

function expectWellFormed(raw: string, parsed: ParsedCommand): void {
  if (!parsed.ok) {
    expect(CODES).toContain(parsed.error.code);
    expect(parsed.error.message.length).toBeGreaterThan(0);
    // An error quotes at most a short piece of what was sent, however big the frame.
    expect(parsed.error.message.length).toBeLessThan(600);
    expect(parsed.ref === null || (typeof parsed.ref === 'string' && parsed.ref.length >= 1 && parsed.ref.length <= 128)).toBe(true);
    return;
  }
  const { command } = parsed;
  expect(Object.hasOwn(COMMAND_FIELDS, command.type)).toBe(true);
  expect(typeof command.ref === 'string' && command.ref.length >= 1 && command.ref.length <= 128).toBe(true);
  const declared = Object.keys(COMMAND_FIELDS[command.type]);
  for (const key of Object.keys(command)) expect(['type', 'ref', ...declared]).toContain(key);
  for (const field of declared) {
    const value = (command as unknown as Record<string, unknown>)[field];
    if (value === undefined && OPTIONAL.has(field)) continue;
    expect(RULES[field]!(value), `${field} = ${JSON.stringify(value)?.slice(0, 80)} in ${raw.slice(0, 200)}`).toBe(true);
  }
  // What passed once passes again unchanged: clients re-read commands from their outbox files.
  expect(parseCommand(JSON.stringify(command))).toEqual(parsed);
}

/** A frame of a known type whose fields are usually valid, sometimes anything, sometimes missing. */
const nearlyValid = fc.constantFrom(...TYPES).chain((type) => {
  const fields: Record<string, fc.Arbitrary<string>> = {
    type: fc.oneof({ weight: 5, arbitrary: fc.constant(JSON.stringify(type)) }, { weight: 1, arbitrary: mostly(nastyString(TYPES)) }),
    ref: mostly(validRef),
  };
  for (const name of Object.keys(COMMAND_FIELDS[type as keyof typeof COMMAND_FIELDS])) {
    fields[name] = name === 'fields' ? fc.oneof(validFields.map((f) => JSON.stringify(f)), mostly(fc.string(), FIELD_NAMES)) : mostly(VALID[name]!, FIELD_NAMES);
  }
  return jsonObject(fields, FIELD_NAMES);
});

describe('parseCommand with generated frames', () => {
  it('never throws on any text, and answers with a valid command or a clear error', () => {
    fc.assert(
      fc.property(anyText(['type', 'ref', ...FIELD_NAMES], TYPES), (raw) => {
        expectWellFormed(raw, parseCommand(raw));
      }),
      RUNS,
    );
  });

  it('holds for frames close to real commands (each field usually valid)', () => {
    fc.assert(
      fc.property(nearlyValid, (raw) => {
        expectWellFormed(raw, parseCommand(raw));
      }),
      { numRuns: 2000 },
    );
  });

  it('takes every frame that keeps the rules, keeping exactly its declared fields', () => {
    const valid = fc.constantFrom(...TYPES).chain((type) => {
      const rules = COMMAND_FIELDS[type as keyof typeof COMMAND_FIELDS];
      const record: Record<string, fc.Arbitrary<unknown>> = { ref: validRef };
      for (const [name, rule] of Object.entries(rules)) {
        const arb: fc.Arbitrary<unknown> = name === 'fields' ? validFields : VALID[name]!;
        record[name] = rule.endsWith('?') ? fc.option(arb, { nil: undefined }) : arb;
      }
      return fc.record(record).map((r) => ({ type, ...r }));
    });
    fc.assert(
      fc.property(valid, fc.dictionary(fc.constantFrom('extra', 'toString', 'constructor'), fc.string()), (frame, extra) => {
        const parsed = parseCommand(JSON.stringify({ ...extra, ...frame }));
        const kept = Object.fromEntries(Object.entries(frame).filter(([, v]) => v !== undefined));
        expect(parsed).toEqual({ ok: true, command: kept });
      }),
      RUNS,
    );
  });

  it('refuses every Object.prototype name and every unknown word as a type', () => {
    fc.assert(
      fc.property(nastyString(), validRef, (type, ref) => {
        fc.pre(!Object.hasOwn(COMMAND_FIELDS, type));
        expect(parseCommand(JSON.stringify({ type, ref, enquiryId: 'E1' }))).toMatchObject({ ok: false, ref, error: { code: 'UNKNOWN_COMMAND' } });
      }),
      RUNS,
    );
  });
});
