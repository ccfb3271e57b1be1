// Generated inputs for the parsers of outside input: the edge cases hand-written tests miss.
// Values are produced as JSON *text*, written here rather than by JSON.stringify, so a key can
// be "__proto__" (an own key once parsed), a key can repeat, numbers can overflow a double
// (1e400 parses to Infinity) and strings can hold lone surrogates and null bytes.
import fc from 'fast-check';
import { PROTOTYPE_NAMES } from './prototype-names.js';

/** One UTF-16 unit of any kind: printable ASCII, any code point, a lone surrogate, a control. */
const unit = fc.oneof(
  { weight: 4, arbitrary: fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 1 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) },
  { weight: 1, arbitrary: fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c)) },
  { weight: 1, arbitrary: fc.constantFrom('\u0000', '\n', '\r', '\t', '\u2028', '\ufeff', '\u200b', '"', '\\') },
);

/** Lengths either side of the limits the parsers enforce (ids 64, refs 128, names 200, text 4,000). */
const LIMITS = [0, 1, 40, 63, 64, 65, 99, 100, 101, 127, 128, 129, 199, 200, 201, 2000, 2001, 3999, 4000, 4001, 70_000];

/** Strings the parsers meet: known words, prototype names, numbers as text, junk, and very long runs. */
export function nastyString(words: readonly string[] = []): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...PROTOTYPE_NAMES, ...(words.length > 0 ? words : ['x'])) },
    { weight: 3, arbitrary: fc.string({ unit, maxLength: 30 }) },
    { weight: 1, arbitrary: fc.constantFrom('', ' ', '\u0000', ' \t\n', 'null', 'true', 'NaN', 'Infinity', '-0', '1e400', '0x10', '١٢٣') },
    { weight: 1, arbitrary: fc.oneof(fc.double(), fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n })).map(String) },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...LIMITS), fc.constantFrom('a', ' ', 'é', '\ud83d\ude00', '\ud800', '\u0000')).map(([n, c]) => c.repeat(n)) },
  );
}

/** A string as a JSON literal (JSON.stringify escapes lone surrogates, which JSON.parse gives back). */
export function quoted(s: string): string {
  return JSON.stringify(s);
}

const numberText = fc.oneof(
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((d) => (Object.is(d, -0) ? '-0' : String(d))),
  fc.constantFrom('1e400', '-1e400', '123456789012345678901234567890', '9007199254740993', '0.1', '5e-324', '0', '-0', '1E2'),
  fc.integer().map(String),
);

/**
 * A value nested far deeper than any real payload: deep enough (from about 5,000 levels) to
 * overflow JSON.stringify in anything that pastes a value whole. Big, so kept out of jsonValue's
 * every leaf and offered where one field's value is chosen.
 */
export const deep = fc.tuple(fc.constantFrom(10, 1000, 6000), fc.boolean()).map(([depth, arrays]) =>
  arrays ? `${'['.repeat(depth)}1${']'.repeat(depth)}` : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`,
);

/**
 * JSON text for any value, with keys drawn from `keys` (the fields a parser knows), prototype
 * names and junk, and strings drawn from `words` as well as junk.
 */
export function jsonValue(keys: readonly string[] = [], words: readonly string[] = []): fc.Arbitrary<string> {
  return jsonTrees(keys, words).value;
}

/** Like jsonValue, but always an object at the top: what most parsers check first. */
export function jsonRecord(keys: readonly string[] = [], words: readonly string[] = []): fc.Arbitrary<string> {
  return jsonTrees(keys, words).object;
}

function jsonTrees(keys: readonly string[], words: readonly string[]): { value: fc.Arbitrary<string>; object: fc.Arbitrary<string> } {
  const key = fc.oneof(fc.constantFrom(...PROTOTYPE_NAMES, ...(keys.length > 0 ? keys : ['x'])), nastyString());
  return fc.letrec<{ value: string; array: string; object: string }>((tie) => ({
    value: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      { weight: 4, arbitrary: nastyString(words).map(quoted) },
      { weight: 2, arbitrary: numberText },
      { weight: 1, arbitrary: fc.constantFrom('true', 'false', 'null') },
      { weight: 2, arbitrary: tie('array') },
      { weight: 2, arbitrary: tie('object') },
    ),
    array: fc.array(tie('value'), { maxLength: 5 }).map((items) => `[${items.join(',')}]`),
    object: fc.array(fc.tuple(key, tie('value')), { maxLength: 6 }).map((entries) => `{${entries.map(([k, v]) => `${quoted(k)}:${v}`).join(',')}}`),
  }));
}

/**
 * JSON text for an object holding some of `fields` (each from its own arbitrary, often valid)
 * plus, sometimes, keys the parser does not know.
 */
export function jsonObject(fields: Record<string, fc.Arbitrary<string>>, extraKeys: readonly string[] = []): fc.Arbitrary<string> {
  // Each known field is there most of the time, so most frames get past the first checks.
  const known = fc
    .tuple(...Object.entries(fields).map(([name, arb]) => fc.option(arb.map((v) => [name, v] as [string, string]), { nil: undefined, freq: 8 })))
    .map((entries) => entries.filter((e) => e !== undefined));
  const unknown = fc.array(fc.tuple(fc.oneof(fc.constantFrom(...PROTOTYPE_NAMES, ...(extraKeys.length > 0 ? extraKeys : ['x'])), nastyString()), jsonValue()), {
    maxLength: 2,
  });
  return fc
    .tuple(known, fc.oneof({ weight: 3, arbitrary: fc.constant([] as [string, string][]) }, { weight: 1, arbitrary: unknown }))
    .chain(([a, b]) => fc.shuffledSubarray([...a, ...b], { minLength: a.length + b.length }))
    .map((entries) => `{${entries.map(([k, v]) => `${quoted(k)}:${v}`).join(',')}}`);
}

/** A field that is usually a valid value (from `valid`) and sometimes anything at all. */
export function mostly(valid: fc.Arbitrary<string>, keys: readonly string[] = []): fc.Arbitrary<string> {
  return fc.oneof({ weight: 6, arbitrary: valid.map(quoted) }, { weight: 2, arbitrary: jsonValue(keys) }, { weight: 1, arbitrary: deep });
}

/** Any text at all: JSON of any value, or something that is not JSON. */
export function anyText(keys: readonly string[] = [], words: readonly string[] = []): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 3, arbitrary: jsonValue(keys, words) },
    { weight: 3, arbitrary: jsonRecord(keys, words) },
    { weight: 1, arbitrary: deep },
    { weight: 1, arbitrary: fc.string({ unit, maxLength: 40 }) },
    { weight: 1, arbitrary: fc.constantFrom('', '{', '{"type":', '[1,]', '{"a":1,}', 'nul', '\ufeff{}', '{"type":"claim"}garbage') },
  );
}
