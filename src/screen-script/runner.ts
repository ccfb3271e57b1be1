// Plays parsed steps against a terminal: keys in, the emulated screen read back. Knows nothing of
// the workbench or the broker, only of a screen and a keyboard.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, extname, resolve } from 'node:path';
import type { Step } from './parse.js';
import type { SettleOptions } from './virtual-terminal.js';

/** What the runner needs of a terminal; VirtualTerminal is one. */
export interface Screen {
  send(bytes: string): void;
  settle(options: SettleOptions): Promise<void>;
  flushed(): Promise<void>;
  screen(): string[];
}

export interface PlayOptions {
  /** How long `wait-for` waits when the step gives no time. */
  timeoutMs: number;
  /** Where `snapshot NAME` writes, unless NAME is absolute. */
  snapshotDir: string;
  /** How long a press or a paste is given to be drawn before the next step. */
  settle: SettleOptions;
  /** Called after each step that passed, with how long it took. */
  onStep?: (step: Step, ms: number) => void;
}

export type PlayResult = { ok: true; steps: number } | { ok: false; step: Step; message: string; screen: string[] };

class StepFailed extends Error {}

const POLL_MS = 20;

export async function playScript(steps: readonly Step[], terminal: Screen, options: PlayOptions): Promise<PlayResult> {
  for (const step of steps) {
    const start = Date.now();
    try {
      await playStep(step, terminal, options);
    } catch (err) {
      if (!(err instanceof StepFailed)) throw err;
      return { ok: false, step, message: err.message, screen: terminal.screen() };
    }
    options.onStep?.(step, Date.now() - start);
  }
  return { ok: true, steps: steps.length };
}

async function playStep(step: Step, terminal: Screen, options: PlayOptions): Promise<void> {
  switch (step.kind) {
    case 'press':
      // One key at a time, each drawn before the next: keys arriving together would reach the
      // app as one input, which is a paste, not a press.
      for (const key of step.keys) {
        terminal.send(key.bytes);
        await terminal.settle(options.settle);
      }
      return;
    case 'type':
      terminal.send(step.text);
      await terminal.settle(options.settle);
      return;
    case 'wait-for': {
      const ms = step.timeoutMs ?? options.timeoutMs;
      const deadline = Date.now() + ms;
      for (;;) {
        await terminal.flushed();
        if (onScreen(terminal.screen(), step.text)) return;
        if (Date.now() >= deadline) throw new StepFailed(`${quote(step.text)} did not appear within ${ms} ms${bareTimeoutHint(step)}`);
        await delay(Math.min(POLL_MS, Math.max(1, deadline - Date.now())));
      }
    }
    case 'expect':
      await terminal.flushed();
      if (!onScreen(terminal.screen(), step.text)) throw new StepFailed(`${quote(step.text)} is not on the screen`);
      return;
    case 'expect-not':
      await terminal.flushed();
      if (onScreen(terminal.screen(), step.text)) throw new StepFailed(`${quote(step.text)} is on the screen (line ${lineOf(terminal.screen(), step.text)})`);
      return;
    case 'expect-line': {
      await terminal.flushed();
      const screen = terminal.screen();
      const line = screen[step.row - 1];
      if (line === undefined) throw new StepFailed(`the screen has only ${screen.length} lines`);
      if (!line.includes(step.text)) {
        const elsewhere = lineOf(screen, step.text);
        const hint = elsewhere === null ? '' : `; it is on line ${elsewhere}`;
        throw new StepFailed(`line ${step.row} does not contain ${quote(step.text)}${hint}`);
      }
      return;
    }
    case 'sleep':
      await delay(step.ms);
      return;
    case 'snapshot': {
      await terminal.flushed();
      const path = snapshotPath(step.name, options.snapshotDir);
      try {
        await mkdir(dirname(path), { recursive: true });
        await writeFile(path, screenText(terminal.screen()));
      } catch (err) {
        throw new StepFailed(`cannot write the snapshot to ${path}: ${(err as Error).message}`);
      }
      return;
    }
  }
}

/** A number ending an unquoted wait-for is its timeout: say so, in case it was meant as part of the text. */
function bareTimeoutHint(step: Extract<Step, { kind: 'wait-for' }>): string {
  const arg = step.source.slice('wait-for'.length).trim();
  if (step.timeoutMs === null || arg.startsWith('"')) return '';
  return ` (the number ending the line was read as the timeout; to wait for text that ends in a number, quote it: wait-for ${JSON.stringify(arg)})`;
}

/** Whether the text is on the screen; it may run across lines only if it holds a newline itself. */
export function onScreen(screen: readonly string[], text: string): boolean {
  return screen.join('\n').includes(text);
}

function lineOf(screen: readonly string[], text: string): number | null {
  const i = screen.findIndex((l) => l.includes(text));
  return i === -1 ? null : i + 1;
}

/** `NAME` in DIR, with `.txt` added when it has no extension. */
export function snapshotPath(name: string, dir: string): string {
  const path = resolve(dir, name);
  return extname(path) === '' ? `${path}.txt` : path;
}

/** The screen as a file: every row (blank ones too, so the height shows), each ending in a newline. */
export function screenText(screen: readonly string[]): string {
  return screen.map((l) => `${l}\n`).join('');
}

function quote(text: string): string {
  return JSON.stringify(text);
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
