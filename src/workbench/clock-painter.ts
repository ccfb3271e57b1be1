// Clock ticks without a frame. Ink redraws the whole frame for any change: every cell of an 80x24
// screen tokenised, measured and written again, some 4 MB of garbage and most of a core's
// millisecond budget each second, to move the digits of a few clocks. When only clocks have moved
// (same rows, same widths, nothing else on screen depending on the time), the painter writes
// just those cells, with cursor moves relative to where Ink leaves the cursor (the line below its
// frame), and puts the same text into Ink's tree so that any later frame of Ink's agrees with the
// screen. Anything else (a row crossing into amber, a clock growing a digit, a minute changing a
// "3m ago" in the conversation, a key, a broker event, a resize) gets an ordinary frame.
import type { DOMElement } from 'ink';
import type { Segment } from './format.js';

/** Text drawn in one style by one Ink text node (see runsOf in components/line.tsx). */
export interface Piece {
  text: string;
  role: Segment['role'];
}

/** One line of the frame as Ink draws it: its runs of pieces, and which runs are clocks. */
export interface PaintLine {
  runs: readonly (readonly Piece[])[];
  /** Per run: a clock (Segment.live), alone in its run. */
  live: readonly boolean[];
  inverse: boolean;
}

/** The ticking lines as last drawn, how to draw them at another moment, and where they are. */
export interface TickingRegion {
  lines: readonly PaintLine[];
  at(nowMs: number): readonly PaintLine[];
  /** Ink's node holding the lines, one child per line. */
  box: DOMElement;
}

/** A part of the frame that depends on the time but has no clocks: it must not change for a paint. */
export interface StillRegion {
  lines: readonly (readonly Segment[])[];
  at(nowMs: number): readonly (readonly Segment[])[];
}

/** Escape codes that draw a piece as Ink would: `open + text + close`. */
export type Envelope = (role: Piece['role'], inverse: boolean) => { open: string; close: string };

export interface Patch {
  /** Cell of the frame (0-based column, line). */
  x: number;
  y: number;
  text: string;
  role: Piece['role'];
  inverse: boolean;
}

// Begin and end a synchronised update (as Ink does), so the terminal shows all clocks at once.
const BSU = '\x1b[?2026h';
const ESU = '\x1b[?2026l';
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

/**
 * The clocks to redraw to go from `drawn` to `next`, or null when something besides clock text
 * changed (or a clock changed width, or holds anything but plain ASCII, whose width Ink might
 * measure differently): then only a frame will do.
 */
export function clockChanges(drawn: readonly PaintLine[], next: readonly PaintLine[]): { line: number; run: number; text: string }[] | null {
  if (drawn.length !== next.length) return null;
  const changes: { line: number; run: number; text: string }[] = [];
  for (let i = 0; i < drawn.length; i++) {
    const a = drawn[i]!;
    const b = next[i]!;
    if (a.inverse !== b.inverse || a.runs.length !== b.runs.length) return null;
    for (let r = 0; r < a.runs.length; r++) {
      const ra = a.runs[r]!;
      const rb = b.runs[r]!;
      if (a.live[r] !== b.live[r] || ra.length !== rb.length) return null;
      for (let p = 0; p < ra.length; p++) {
        const pa = ra[p]!;
        const pb = rb[p]!;
        if (pa.role !== pb.role) return null;
        if (pa.text === pb.text) continue;
        if (!a.live[r] || ra.length !== 1) return null;
        if (!PRINTABLE_ASCII.test(pa.text) || !PRINTABLE_ASCII.test(pb.text) || pa.text.length !== pb.text.length) return null;
        changes.push({ line: i, run: r, text: pb.text });
      }
    }
  }
  return changes;
}

/**
 * The bytes that draw `patches` on a frame `height` lines tall, the cursor on the line below it:
 * top to bottom in one pass, so each line costs one cursor move, and back below the frame.
 */
export function patchBytes(patches: readonly Patch[], height: number, envelope: Envelope): string {
  let out = BSU;
  let line = height;
  for (const p of [...patches].sort((a, b) => a.y - b.y || a.x - b.x)) {
    // A count of 0 moves one line on many terminals: move only when the line differs.
    if (p.y < line) out += `\x1b[${line - p.y}A`;
    else if (p.y > line) out += `\x1b[${p.y - line}B`;
    line = p.y;
    const { open, close } = envelope(p.role, p.inverse);
    out += `\x1b[${p.x + 1}G${open}${p.text}${close}`;
  }
  return `${out}\x1b[${height - line}B\r${ESU}`;
}

/** How many leading characters two clock texts share: those cells already show the right thing. */
function sharedPrefix(a: string, b: string): number {
  let i = 0;
  while (i < a.length && a[i] === b[i]) i++;
  return i;
}

export function sameSegments(a: readonly (readonly Segment[])[], b: readonly (readonly Segment[])[]): boolean {
  return (
    a.length === b.length &&
    a.every((line, i) => {
      const other = b[i]!;
      return line.length === other.length && line.every((s, j) => s.text === other[j]!.text && s.role === other[j]!.role);
    })
  );
}

export interface ClockPainterOptions {
  write: (bytes: string) => void;
  envelope: Envelope;
  /** Ink's shortest time between frames (1000 / fps): a frame may still be on its way this long after a change. */
  frameIntervalMs: number;
  /** The terminal's rows now: Ink leaves the cursor below its frame only when the frame is shorter. */
  rows: () => number;
  /** Milliseconds on a monotonic clock; default performance.now. */
  monotonic?: () => number;
}

export class ClockPainter {
  private ticking: TickingRegion | null = null;
  private readonly still = new Set<StillRegion>();
  private lastActivity = -Infinity;
  private readonly monotonic: () => number;

  constructor(private readonly options: ClockPainterOptions) {
    this.monotonic = options.monotonic ?? (() => performance.now());
  }

  /** Something may have been drawn, or is about to be: a frame, a change of state, a resize. */
  noteActivity = (): void => {
    this.lastActivity = this.monotonic();
  };

  setTicking(region: TickingRegion | null): void {
    this.ticking = region;
    this.noteActivity();
  }

  addStill(region: StillRegion): () => void {
    this.still.add(region);
    this.noteActivity();
    return () => {
      this.still.delete(region);
      this.noteActivity();
    };
  }

  /**
   * A new second: true when the screen is now right without a frame (clocks drawn, or nothing
   * moved), false when the listeners must draw one.
   */
  tick = (nowMs: number): boolean => {
    const ticking = this.ticking;
    if (ticking === null) return false;
    // A frame Ink has yet to write (it spaces them frameIntervalMs apart) would land on top of the
    // clocks drawn here, and the layout read below might not be the one on screen.
    if (this.monotonic() - this.lastActivity < this.options.frameIntervalMs + 30) return false;
    for (const region of this.still) if (!sameSegments(region.lines, region.at(nowMs))) return false;
    const next = ticking.at(nowMs);
    const changes = clockChanges(ticking.lines, next);
    if (changes === null) return false;
    if (changes.length === 0) return true;
    const root = rootOf(ticking.box);
    if (root === null) return false;
    const height = root.yogaNode!.getComputedHeight();
    if (height >= this.options.rows()) return false;
    const patches: Patch[] = [];
    const texts: [DOMElement, string][] = [];
    for (const c of changes) {
      const node = runNode(ticking.box, c.line, ticking.lines[c.line]!.runs.length, c.run);
      if (node === null) return false;
      const { x, y } = positionOf(node);
      const piece = next[c.line]!.runs[c.run]![0]!;
      // Only the digits that turned over are written (usually one): 2:41 to 2:42 rewrites the 2.
      const kept = sharedPrefix(ticking.lines[c.line]!.runs[c.run]![0]!.text, c.text);
      patches.push({ x: x + kept, y, text: c.text.slice(kept), role: piece.role, inverse: next[c.line]!.inverse });
      texts.push([node, c.text]);
    }
    if (patches.some((p) => p.y >= height)) return false;
    for (const [node, text] of texts) setText(node, text);
    this.options.write(patchBytes(patches, height, this.options.envelope));
    this.ticking = { ...ticking, lines: next };
    return true;
  };
}

/** The Ink node of run `run` of line `line`: a line of one run is that run's node itself. */
function runNode(box: DOMElement, line: number, runs: number, run: number): DOMElement | null {
  const lineNode = box.childNodes[line];
  if (!lineNode || lineNode.nodeName === '#text') return null;
  const node = runs === 1 ? lineNode : lineNode.childNodes[run];
  return node && node.nodeName === 'ink-text' ? node : null;
}

function rootOf(node: DOMElement): DOMElement | null {
  let at: DOMElement = node;
  while (at.parentNode) at = at.parentNode;
  return at.nodeName === 'ink-root' && at.yogaNode ? at : null;
}

/** Cell of the frame where Ink drew `node`, from the layout it drew with. */
function positionOf(node: DOMElement): { x: number; y: number } {
  let x = 0;
  let y = 0;
  for (let at: DOMElement | undefined = node; at; at = at.parentNode) {
    if (!at.yogaNode) continue;
    x += at.yogaNode.getComputedLeft();
    y += at.yogaNode.getComputedTop();
  }
  return { x, y };
}

/**
 * Puts the clock's new text into Ink's tree, so a frame Ink draws later (for any reason) shows
 * what the screen shows. The width is unchanged, so the layout stands; React sets the node again
 * when it next draws the line.
 */
function setText(node: DOMElement, text: string): void {
  const leaf = firstText(node);
  if (leaf) leaf.nodeValue = text;
}

function firstText(node: DOMElement | DOMElement['childNodes'][number]): { nodeValue: string } | null {
  if (node.nodeName === '#text') return node;
  for (const child of node.childNodes) {
    const found = firstText(child);
    if (found) return found;
  }
  return null;
}
