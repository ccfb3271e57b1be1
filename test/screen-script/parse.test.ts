// The script language: every step, quoting, and the errors that name the line and what is wrong.
import { describe, expect, it } from 'vitest';
import { keyBytes } from '../../src/screen-script/keys.js';
import { parseScript, type ParsedScript, type Step } from '../../src/screen-script/parse.js';

function steps(source: string): Step[] {
  const parsed = parseScript(source);
  if (!parsed.ok) throw new Error(`unexpected problems: ${JSON.stringify(parsed.problems)}`);
  return parsed.steps;
}

function problems(source: string, options = {}): Extract<ParsedScript, { ok: false }>['problems'] {
  const parsed = parseScript(source, options);
  if (parsed.ok) throw new Error(`expected problems, got steps: ${JSON.stringify(parsed.steps)}`);
  return parsed.problems;
}

describe('keys', () => {
  it('sends what a terminal sends', () => {
    expect(keyBytes('enter')).toBe('\r');
    expect(keyBytes('Enter')).toBe('\r');
    expect(keyBytes('esc')).toBe('\u001b');
    expect(keyBytes('tab')).toBe('\t');
    expect(keyBytes('shift+tab')).toBe('\u001b[Z');
    expect(keyBytes('backspace')).toBe('\u007f');
    expect(keyBytes('delete')).toBe('\u001b[3~');
    expect(keyBytes('up')).toBe('\u001b[A');
    expect(keyBytes('down')).toBe('\u001b[B');
    expect(keyBytes('right')).toBe('\u001b[C');
    expect(keyBytes('left')).toBe('\u001b[D');
    expect(keyBytes('home')).toBe('\u001b[H');
    expect(keyBytes('end')).toBe('\u001b[F');
    expect(keyBytes('pageup')).toBe('\u001b[5~');
    expect(keyBytes('pagedown')).toBe('\u001b[6~');
    expect(keyBytes('space')).toBe(' ');
  });

  it('makes control bytes of ctrl+letter, either spelling, either case', () => {
    expect(keyBytes('ctrl+a')).toBe('\u0001');
    expect(keyBytes('ctrl+u')).toBe('\u0015');
    expect(keyBytes('ctrl-c')).toBe('\u0003');
    expect(keyBytes('Ctrl+Z')).toBe('\u001a');
    expect(keyBytes('ctrl+1')).toBeNull();
    expect(keyBytes('ctrl+')).toBeNull();
  });

  it('keeps a single character as itself, case and all', () => {
    expect(keyBytes('g')).toBe('g');
    expect(keyBytes('G')).toBe('G');
    expect(keyBytes('?')).toBe('?');
    expect(keyBytes('é')).toBe('é');
    expect(keyBytes('entr')).toBeNull();
    expect(keyBytes('\u0007')).toBeNull();
  });
});

describe('parseScript', () => {
  it('reads every step with its line, skipping comments and blank lines', () => {
    const parsed = steps(
      [
        '# a smoke test',
        '',
        'press n',
        '  type   Thank you, we will check.  ',
        'wait-for Tagged 305JE126',
        'wait-for Reply to Jane Smith sent. 8000',
        'expect You hold',
        'expect-not Nothing is waiting',
        'expect-line 1 alice',
        'sleep 250',
        'snapshot after-tag',
      ].join('\n'),
    );
    expect(parsed.map(({ line, kind }) => [line, kind])).toEqual([
      [3, 'press'],
      [4, 'type'],
      [5, 'wait-for'],
      [6, 'wait-for'],
      [7, 'expect'],
      [8, 'expect-not'],
      [9, 'expect-line'],
      [10, 'sleep'],
      [11, 'snapshot'],
    ]);
    expect(parsed[0]).toMatchObject({ keys: [{ name: 'n', bytes: 'n' }], source: 'press n' });
    expect(parsed[1]).toMatchObject({ text: 'Thank you, we will check.' });
    expect(parsed[2]).toMatchObject({ text: 'Tagged 305JE126', timeoutMs: null });
    expect(parsed[3]).toMatchObject({ text: 'Reply to Jane Smith sent.', timeoutMs: 8000 });
    expect(parsed[6]).toMatchObject({ row: 1, text: 'alice' });
    expect(parsed[7]).toMatchObject({ ms: 250 });
    expect(parsed[8]).toMatchObject({ name: 'after-tag' });
  });

  it('presses several keys on one line, in order', () => {
    expect(steps('press down down ctrl+u enter')[0]).toMatchObject({
      keys: [
        { name: 'down', bytes: '\u001b[B' },
        { name: 'down', bytes: '\u001b[B' },
        { name: 'ctrl+u', bytes: '\u0015' },
        { name: 'enter', bytes: '\r' },
      ],
    });
  });

  it('takes quoted text as a JSON string: spaces at the ends, escapes, a number at the end of wait-for', () => {
    const [type, wait, waitWithTime, expectStep, line] = steps(
      ['type "  two spaces, then a tab\\t"', 'wait-for "Position 2"', 'wait-for "Position 2" 3000ms', 'expect "say \\"hi\\""', 'expect-line 3 " @you"'].join('\n'),
    );
    expect(type).toMatchObject({ text: '  two spaces, then a tab\t' });
    expect(wait).toMatchObject({ text: 'Position 2', timeoutMs: null });
    expect(waitWithTime).toMatchObject({ text: 'Position 2', timeoutMs: 3000 });
    expect(expectStep).toMatchObject({ text: 'say "hi"' });
    expect(line).toMatchObject({ row: 3, text: ' @you' });
  });

  it('reads a bare number alone as the text, and a trailing number as the timeout', () => {
    expect(steps('wait-for 305')[0]).toMatchObject({ text: '305', timeoutMs: null });
    expect(steps('wait-for Position 2')[0]).toMatchObject({ text: 'Position', timeoutMs: 2 });
  });

  it('accepts CRLF line ends and a byte-order mark', () => {
    expect(steps('\uFEFFpress n\r\nexpect You hold\r\n').map((s) => s.line)).toEqual([1, 2]);
  });

  it('names the line and the unknown step', () => {
    expect(problems('press n\nclick here')).toEqual([
      { line: 2, message: 'unknown step "click"; the steps are press, type, wait-for, expect, expect-not, expect-line, sleep, snapshot (and # for a comment)' },
    ]);
  });

  it('names the line and the unknown key, and lists the keys', () => {
    const [p] = problems('# keys\npress enter entr');
    expect(p!.line).toBe(2);
    expect(p!.message).toMatch(/^unknown key "entr"; keys are enter, return, esc/);
    expect(p!.message).toContain('ctrl+a … ctrl+z');
  });

  it('names a missing argument and shows how the step is written', () => {
    expect(problems('press\ntype\nwait-for\nexpect\nexpect-not\nexpect-line\nsleep\nsnapshot')).toEqual([
      { line: 1, message: 'press needs a key; write `press KEY [KEY...]`' },
      { line: 2, message: 'type needs the text; write `type TEXT`' },
      { line: 3, message: 'wait-for needs the text to wait for; write `wait-for TEXT [MS]`' },
      { line: 4, message: 'expect needs the text; write `expect TEXT`' },
      { line: 5, message: 'expect-not needs the text; write `expect-not TEXT`' },
      { line: 6, message: 'expect-line needs a line number and the text; write `expect-line N TEXT`' },
      { line: 7, message: 'sleep needs a time in ms; write `sleep MS`' },
      { line: 8, message: 'snapshot needs a file name; write `snapshot NAME`' },
    ]);
  });

  it('reports every problem in one go', () => {
    expect(problems('press n\nsleep soon\nexpect-line x alice\nexpect-line 2\nexpect "open\nwait-for "done" later\ntype ""').map((p) => p.line)).toEqual([2, 3, 4, 5, 6, 7]);
  });

  it('explains bad numbers and bad quoting', () => {
    const messages = problems('sleep soon\nexpect-line 0 x\nexpect "open\nwait-for "done" later\nexpect "x" y\ntype ""').map((p) => p.message);
    expect(messages).toEqual([
      'sleep takes a whole number of milliseconds, like `sleep 500`, not "soon"',
      'expect-line needs a line number from 1 first, not "0"; write `expect-line N TEXT`',
      'expect: the quoted text has no closing quote (write a quote inside it as \\")',
      'wait-for takes the text, then optionally a timeout in ms; "later" after the quoted text is neither',
      'expect: nothing may follow the closing quote, but "y" does',
      'type: the quoted text is empty',
    ]);
  });

  it('refuses an expect-line below the screen when the height is known', () => {
    expect(problems('expect-line 25 x', { rows: 24 })).toEqual([
      { line: 1, message: 'expect-line 25 is below the screen, which has 24 lines (--size COLSxROWS makes it taller)' },
    ]);
    expect(steps('expect-line 25 x')[0]).toMatchObject({ row: 25 });
  });

  it('refuses a script with no steps', () => {
    expect(problems('# only a comment\n\n')).toEqual([{ line: 1, message: 'the script has no steps; write one per line, e.g. `wait-for waiting`' }]);
  });
});
