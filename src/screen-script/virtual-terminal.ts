// A terminal with no window: a TTY pair for Ink on one side, an xterm emulator on the other.
// Everything the app writes is interpreted by @xterm/headless (cursor moves, erases, wide
// characters), so the screen a script reads is the one a real terminal would show; keys go in as
// the bytes a terminal sends.
import { Readable, Writable } from 'node:stream';
import xterm from '@xterm/headless';

/** The app's stdin: a TTY in raw mode as far as Ink can tell. */
export class TerminalInput extends Readable {
  readonly isTTY = true;
  isRaw = false;
  private rawWaiters: Array<() => void> = [];

  setRawMode(mode: boolean): this {
    this.isRaw = mode;
    if (mode) for (const resolve of this.rawWaiters.splice(0)) resolve();
    return this;
  }

  /** Resolves once the app listens for keys (Ink turns raw mode on when a useInput becomes live). */
  whenRaw(): Promise<void> {
    return this.isRaw ? Promise.resolve() : new Promise((resolve) => this.rawWaiters.push(resolve));
  }

  ref(): this {
    return this;
  }

  unref(): this {
    return this;
  }

  override _read(): void {
    // Keys are pushed by `send`; there is nothing to fetch on demand.
  }
}

/** The app's stdout (and stderr): a TTY of a fixed size whose every byte goes to the emulator. */
export class TerminalOutput extends Writable {
  readonly isTTY = true;

  constructor(
    private readonly sink: (data: string, done: () => void) => void,
    public columns: number,
    public rows: number,
  ) {
    super({ decodeStrings: false });
  }

  override _write(chunk: string | Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.sink(typeof chunk === 'string' ? chunk : chunk.toString('utf8'), () => callback());
  }

  getColorDepth(): number {
    return 8;
  }

  hasColors(): boolean {
    return true;
  }
}

export interface SettleOptions {
  /** Output is settled once nothing new has come for this long. */
  quietMs: number;
  /** ...or after this long, whatever keeps coming (a ticking clock must not stall a script). */
  maxMs: number;
}

export class VirtualTerminal {
  readonly stdin = new TerminalInput();
  readonly stdout: TerminalOutput;
  readonly stderr: TerminalOutput;
  private readonly term: xterm.Terminal;
  private lastOutputAt = Date.now();

  constructor(
    readonly columns: number,
    readonly rows: number,
  ) {
    // convertEol does what the tty driver's ONLCR does between a program and a real terminal (and
    // Node's raw mode keeps ONLCR on): "\n" arrives as "\r\n".
    this.term = new xterm.Terminal({ cols: columns, rows, allowProposedApi: true, scrollback: 0, convertEol: true });
    const sink = (data: string, done: () => void) => {
      this.lastOutputAt = Date.now();
      this.term.write(data, done);
    };
    this.stdout = new TerminalOutput(sink, columns, rows);
    this.stderr = new TerminalOutput(sink, columns, rows);
    // A real terminal answers the app's queries (cursor position, device attributes) on its input.
    this.term.onData((reply) => this.stdin.push(reply));
  }

  /** Sends bytes as typed (or pasted) at the keyboard. */
  send(bytes: string): void {
    this.stdin.push(bytes);
  }

  /** Resolves when the emulator has taken in everything written so far. */
  flushed(): Promise<void> {
    return new Promise((resolve) => this.term.write('', resolve));
  }

  /** Waits until the app has stopped drawing for `quietMs` (counted from now at the earliest), then until the emulator has caught up. */
  async settle({ quietMs, maxMs }: SettleOptions): Promise<void> {
    const start = Date.now();
    for (;;) {
      const quietSince = Math.max(this.lastOutputAt, start);
      const now = Date.now();
      if (now - quietSince >= quietMs || now - start >= maxMs) break;
      await delay(Math.min(quietMs - (now - quietSince), maxMs - (now - start)) + 1);
    }
    await this.flushed();
  }

  /** The visible screen, one string per row, trailing blanks removed. */
  screen(): string[] {
    const buffer = this.term.buffer.active;
    const lines: string[] = [];
    for (let y = 0; y < this.rows; y++) lines.push(buffer.getLine(buffer.baseY + y)?.translateToString(true) ?? '');
    return lines;
  }

  dispose(): void {
    this.stdin.push(null);
    this.term.dispose();
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
