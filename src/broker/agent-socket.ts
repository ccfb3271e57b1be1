// One agent's connection as the hub sees it: who is on it, how fast it may send, and the way out.
// Until the welcome and the events that piled up behind it are out, everything goes at the
// client's pace and other frames (acks) wait; after that the socket is live and its backlog is
// bounded.
import type { WebSocket } from 'ws';
import { CLOSE_CODES } from '../protocol/frames.js';
import type { TakeCommand } from './command-limiter.js';
import type { TokenRecord } from './tokens.js';

export class AgentSocket {
  alive = true;
  /** Events up to this seq have been sent; -1 until the welcome has gone. */
  sentSeq = -1;
  /** Broadcasts pass a socket by until it is live: its catch-up sends what they carried. */
  live = false;
  private held: Buffer[] = [];
  private heldBytes = 0;
  /** Settles the paced write under way (there is at most one) if the socket closes before it is taken. */
  private settlePaced: ((taken: boolean) => void) | null = null;

  constructor(
    readonly ws: WebSocket,
    readonly token: TokenRecord,
    readonly takeCommand: TakeCommand,
    private readonly maxBufferedBytes: number,
  ) {
    ws.once('close', () => this.settlePaced?.(false));
  }

  /** Sends a frame, or keeps it until the socket is live so it cannot overtake the catch-up. */
  send(data: Buffer): void {
    if (this.ws.readyState !== this.ws.OPEN) return;
    if (this.live) return this.sendLive(data);
    this.heldBytes += data.length;
    if (this.heldBytes > this.maxBufferedBytes) return this.cutSlow();
    this.held.push(data);
  }

  /**
   * Writes a frame, or one fragment of a message (`fin` false for all but the last), and resolves
   * once the socket has handed it to the kernel: true, or false when the socket closed first.
   * Awaiting each write is what paces the welcome to the client: at most one piece waits here.
   */
  paced(data: string, fin: boolean): Promise<boolean> {
    const { ws } = this;
    if (ws.readyState !== ws.OPEN) return Promise.resolve(false);
    // One close listener for all writes rather than a reaction per write on a close promise, which
    // kept every piece written alive until the socket closed.
    return new Promise<boolean>((resolve) => {
      this.settlePaced = resolve;
      ws.send(data, { binary: false, fin }, (err) => {
        this.settlePaced = null;
        resolve(!err);
      });
    });
  }

  /** From now on frames go straight out; the ones held meanwhile go first. */
  goLive(): void {
    this.live = true;
    const held = this.held;
    this.held = [];
    this.heldBytes = 0;
    for (const data of held) this.sendLive(data);
  }

  /** Closes with 4008; a client that does not take the close is destroyed a second later. */
  cutSlow(reason = 'slow consumer: reconnect and resume'): void {
    const { ws } = this;
    if (ws.readyState === ws.OPEN) ws.close(CLOSE_CODES.slowConsumer, reason);
    setTimeout(() => ws.terminate(), 1000).unref();
  }

  private sendLive(data: Buffer): void {
    const { ws } = this;
    if (ws.readyState !== ws.OPEN) return;
    if (ws.bufferedAmount > this.maxBufferedBytes) {
      // Buffering without limit would let one stalled thin client eat the broker's memory.
      // It resumes from its last seq when it reconnects.
      return this.cutSlow();
    }
    ws.send(data, { binary: false });
  }
}
