// The PostgreSQL journal's connections: the writer (every statement, one at a time), the wake-up
// listener, whose NOTIFYs carry no data and only make a node read sooner than its poll, and the
// side connections of the delivery leases and shared tokens (LazyClient).
import pg from 'pg';
import { connect, wakeChannel, type StoreAddress } from './pg-schema.js';

/** A connection and its backend pid, whose notifications are this node's own. */
export async function openWriter(address: StoreAddress): Promise<{ client: pg.Client; pid: number }> {
  const client = new pg.Client(address.config);
  // Without a listener an error on an idle connection would crash the process; the next query says what happened.
  client.on('error', () => {});
  await connect(client, address);
  const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
  return { client, pid: rows[0]!.pid };
}

export interface WakeListenerOptions {
  address: StoreAddress;
  /** True for a notification this node's own writer caused: it already has those records. */
  isOwn(processId: number): boolean;
  onWake(): void;
  log(msg: string): void;
  /** How long after losing the connection it tries again. */
  retryMs: number;
  pollIntervalMs: number;
}

export class WakeListener {
  private client: pg.Client | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(private readonly options: WakeListenerOptions) {}

  async start(): Promise<void> {
    const { address, log } = this.options;
    const client = new pg.Client(address.config);
    client.on('notification', (msg) => {
      if (!this.options.isOwn(msg.processId)) this.options.onWake();
    });
    client.on('error', (err) => {
      if (this.client !== client) return;
      this.client = undefined;
      void client.end().catch(() => {});
      // Polling carries on meanwhile: a lost wake-up only delays.
      log(`journal: lost the wake-up connection to ${address.shown} (${err.message}); polling every ${this.options.pollIntervalMs} ms until it is back`);
      this.retryLater();
    });
    try {
      await connect(client, address);
      await client.query(`LISTEN ${wakeChannel(address.schema)}`);
    } catch (err) {
      await client.end().catch(() => {});
      throw err;
    }
    if (this.stopped) {
      await client.end().catch(() => {});
      return;
    }
    this.client = client;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => {});
  }

  private retryLater(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.start().catch(() => this.retryLater()), this.options.retryMs);
    this.timer.unref();
  }
}

/** A connection made when first needed and made again after it breaks, for work beside the journal's. */
export class LazyClient {
  private client: pg.Client | undefined;
  private connecting: Promise<pg.Client> | undefined;
  private closed = false;

  constructor(private readonly address: StoreAddress) {}

  /** What was last given to run: each call waits for it. */
  private tail: Promise<unknown> = Promise.resolve();

  query<T extends pg.QueryResultRow>(sql: string, values: unknown[] = []): Promise<pg.QueryResult<T>> {
    return this.oneAtATime(async () => {
      const client = await this.connection();
      try {
        return await client.query<T>(sql, values);
      } catch (err) {
        // A broken connection is made again on the next call; a refused statement leaves it as it is.
        if (!(err as { code?: string }).code) this.drop(client);
        throw err;
      }
    });
  }

  /** Runs `work` in one transaction, every statement on the same connection. */
  transaction<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
    return this.oneAtATime(async () => {
      const client = await this.connection();
      try {
        await client.query('BEGIN');
        const result = await work(client);
        await client.query('COMMIT');
        return result;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => {});
        if (!(err as { code?: string }).code) this.drop(client);
        throw err;
      }
    });
  }

  /**
   * Calls run one after another, never side by side: a statement sent while another caller's
   * transaction is open would run inside it, and pg 9 refuses a query while one is executing
   * (pg 8 queues it with a deprecation warning, which lease takes for concurrent deliveries hit).
   */
  private oneAtATime<T>(work: () => Promise<T>): Promise<T> {
    const run = this.tail.then(work, work);
    this.tail = run.catch(() => {});
    return run;
  }

  async close(): Promise<void> {
    this.closed = true;
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => {});
  }

  private drop(client: pg.Client): void {
    if (this.client === client) this.client = undefined;
    void client.end().catch(() => {});
  }

  private connection(): Promise<pg.Client> {
    if (this.closed) return Promise.reject(new Error(`the connection to ${this.address.shown} is closed`));
    if (this.client) return Promise.resolve(this.client);
    this.connecting ??= openWriter(this.address)
      .then(({ client }) => (this.client = client))
      .finally(() => (this.connecting = undefined));
    return this.connecting;
  }
}
