// A websocket client written straight onto a TCP socket, for what the `ws` library will not do:
// ignore the broker's close frame and keep sending, or read at a set pace. It speaks just enough
// of RFC 6455 for the agent socket: masked text frames out; text, continuation and close frames in.
import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';

export class WireClient {
  /** Every complete message received, parsed (fragments already joined). */
  readonly messages: any[] = [];
  /** The code of the first close frame received (which this client never answers). */
  closeCode: number | null = null;
  /** The TCP connection has ended or been destroyed. */
  gone = false;
  /** Bytes read from the socket after the upgrade, and how many text frames (fragments) they held. */
  bytesRead = 0;
  framesRead = 0;
  private chunks: Buffer[] = [];
  private held = 0;
  /** Bytes the next frame needs before it can be read. */
  private needed = 2;
  private fragments: Buffer[] = [];
  private paceTimer: NodeJS.Timeout | null = null;

  private constructor(private readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('close', () => {
      this.gone = true;
      if (this.paceTimer) clearInterval(this.paceTimer);
    });
    socket.on('error', () => {});
  }

  /** Opens /v1/agent (with `query`) and resolves after the 101; rejects with the status otherwise. */
  static connect(url: string, token: string, query = ''): Promise<WireClient> {
    const { hostname, port } = new URL(url);
    const socket = connect({ host: hostname, port: Number(port) });
    const key = randomBytes(16).toString('base64');
    socket.write(
      `GET /v1/agent${query} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
        `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\nAuthorization: Bearer ${token}\r\n\r\n`,
    );
    return new Promise((resolve, reject) => {
      let head = Buffer.alloc(0);
      const onHead = (chunk: Buffer) => {
        head = Buffer.concat([head, chunk]);
        const end = head.indexOf('\r\n\r\n');
        if (end < 0) return;
        socket.off('data', onHead);
        socket.off('error', reject);
        const status = head.subarray(0, end).toString('latin1').split(' ')[1];
        if (status !== '101') {
          socket.destroy();
          return reject(new Error(`HTTP ${status}`));
        }
        const client = new WireClient(socket);
        client.onData(head.subarray(end + 4));
        resolve(client);
      };
      socket.on('data', onHead);
      socket.once('error', reject);
    });
  }

  /** Sends one masked text frame, whatever the broker said before. */
  send(value: unknown): void {
    const payload = Buffer.from(typeof value === 'string' ? value : JSON.stringify(value));
    const mask = randomBytes(4);
    const length = payload.length;
    const header = length < 126 ? Buffer.from([0x81, 0x80 | length]) : Buffer.from([0x81, 0x80 | 126, length >> 8, length & 0xff]);
    const masked = Buffer.alloc(length);
    for (let i = 0; i < length; i++) masked[i] = payload[i]! ^ mask[i % 4]!;
    if (!this.socket.destroyed) this.socket.write(Buffer.concat([header, mask, masked]));
  }

  /**
   * Reads at most `bytesPerSecond` from now on: the socket is paused whenever it is ahead of that
   * pace, so the kernel's buffers fill and the broker has to wait for this client.
   */
  pace(bytesPerSecond: number): void {
    const started = Date.now();
    const startBytes = this.bytesRead;
    const allowed = () => startBytes + ((Date.now() - started) / 1000) * bytesPerSecond;
    this.socket.on('data', () => {
      if (this.bytesRead >= allowed()) this.socket.pause();
    });
    this.paceTimer = setInterval(() => {
      if (this.socket.isPaused() && this.bytesRead < allowed()) this.socket.resume();
    }, 5);
    if (this.bytesRead >= allowed()) this.socket.pause();
  }

  /** Stops reading altogether, until `resumeReading`. */
  stopReading(): void {
    this.socket.pause();
  }

  resumeReading(): void {
    this.socket.resume();
  }

  async waitFor<T>(find: () => T | undefined | false | null, what: string, timeoutMs = 10_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = find();
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last messages: ${JSON.stringify(this.messages.slice(-5)).slice(0, 2000)}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /** Every event entry received so far, unpacked from `event` and `events` messages. */
  events(): any[] {
    return this.messages.flatMap((m) => (m.type === 'event' ? [m] : m.type === 'events' ? m.events : []));
  }

  destroy(): void {
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    this.bytesRead += chunk.length;
    this.chunks.push(chunk);
    this.held += chunk.length;
    // Joins chunks only once a whole frame is there, so a large frame is copied once, not per chunk.
    while (this.held >= this.needed) {
      const data = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks);
      const frame = readFrame(data);
      if (typeof frame === 'number') {
        this.chunks = [data];
        this.needed = frame;
        return;
      }
      this.chunks = [data.subarray(frame.size)];
      this.held -= frame.size;
      this.needed = 2;
      this.onFrame(frame.fin, frame.opcode, frame.payload);
    }
  }

  private onFrame(fin: boolean, opcode: number, payload: Buffer): void {
    if (opcode === 0x8) {
      this.closeCode ??= payload.length >= 2 ? payload.readUInt16BE(0) : 1005;
      return;
    }
    if (opcode !== 0x1 && opcode !== 0x0) return; // pings and pongs: this client never answers
    this.framesRead += 1;
    this.fragments.push(payload);
    if (!fin) return;
    const text = Buffer.concat(this.fragments).toString('utf8');
    this.fragments = [];
    this.messages.push(JSON.parse(text));
  }
}

/** The unmasked server frame at the front of `data`, or how many bytes it needs when it is not all there. */
function readFrame(data: Buffer): { fin: boolean; opcode: number; payload: Buffer; size: number } | number {
  if (data.length < 2) return 2;
  const short = data[1]! & 0x7f;
  const headerSize = short === 126 ? 4 : short === 127 ? 10 : 2;
  if (data.length < headerSize) return headerSize;
  const length = short === 126 ? data.readUInt16BE(2) : short === 127 ? Number(data.readBigUInt64BE(2)) : short;
  if (data.length < headerSize + length) return headerSize + length;
  return { fin: (data[0]! & 0x80) !== 0, opcode: data[0]! & 0x0f, payload: data.subarray(headerSize, headerSize + length), size: headerSize + length };
}
