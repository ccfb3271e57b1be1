// The journal in PostgreSQL, shared by several broker nodes (tables: pg-schema.ts). Records are
// the file store's records, line for line (record-format.ts): the same seq, the same hash chain
// from the same kind of header, so they verify with the same code.
//
// Appends: like the file store, `append` gives records their seq and hash at once, chained from
// the last record this node knows, and queues them; one writer sends everything queued as ONE
// statement (group commit), which moves journal_head from (seq, hash) as this node last saw it
// to the group's last record with a compare-and-set, and inserts the records, their new content
// keys and a NOTIFY only if that move happened. It commits on its own (synchronous_commit on) and
// the group is acknowledged only once PostgreSQL answers. Under READ COMMITTED a concurrent
// append waits for the head row, re-checks it and finds it moved, so exactly one of two racing
// groups is written: the head serializes every node's appends, and seq order is commit order.
//
// A group whose compare-and-set finds the head moved lost a race with another node. Its records
// were decided against a state that is no longer current, so they are taken back (onFailure),
// the other node's records are read and handed on as `remote` commits, and the appenders get a
// JournalConflictError: they decide again against the caught-up state (BrokerCore.recordDecided).
//
// Following: a node reads `WHERE seq > N ORDER BY seq` when a NOTIFY (no payload: a wake-up
// only, since NOTIFY serializes commits database-wide) says another node appended, and every
// 500 ms in case a notification was missed, and hands the records on as `remote` commits.
//
// Failures: an error on the connection while a group is in flight leaves its fate unknown. The
// writer reconnects (every `probeIntervalMs`, appends refused meanwhile) and reads back the
// group's last seq: if that row is this group's record, it committed and is acknowledged; if not,
// it is treated as a lost race and decided again. Nobody is told anything before that is known.
import pg from 'pg';
import type { JournalRecord } from '../../domain/events.js';
import { checkChainLine, checkRecordLine, encodeRecord, genesisHash, newHeaderLine, parseHeaderLine, type LineCheck } from './record-format.js';
import { checkSchema, connect, parseStoreUrl, wakeChannel, type StoreAddress } from './pg-schema.js';
import { PgContentKeys, type KeyRow } from './pg-keys.js';
import { openEvent, sealedKeyId, sealEvent } from './sealing.js';
import {
  JournalConflictError,
  JournalUnavailableError,
  type JournalHealth,
  type JournalPosition,
  type JournalStore,
  type NewRecord,
  type OpenedJournal,
  type ResumeFrom,
} from './store.js';
import { checkNewRecord } from './file-store.js';

export interface PgJournalOptions {
  /** postgres://USER@HOST:PORT/DB?schema=NAME */
  url: string;
  now?: () => Date;
  log?: (msg: string) => void;
  /** Seal personal content under per-enquiry keys. Default true. */
  sealContent?: boolean;
  /** How often a writer that lost its connection tries again. Default 1,000 ms. */
  probeIntervalMs?: number;
  /** How often the node looks for other nodes' records without being woken. Default 500 ms. */
  pollIntervalMs?: number;
}

/** Records read per query, at open and while following. */
const PAGE = 2000;

interface Waiter {
  resolve: () => void;
  reject: (err: Error) => void;
  /** A flush, not an append: a lost race leaves nothing of this group to wait for. */
  flush: boolean;
}

interface Group {
  records: JournalRecord[];
  lines: string[];
  keys: KeyRow[];
  waiters: Waiter[];
}

const newGroup = (): Group => ({ records: [], lines: [], keys: [], waiters: [] });

// One statement, so one round trip and one commit per group. The data-modifying CTEs run in full
// whether or not the final SELECT reads them; they insert only if `head` moved.
const APPEND_SQL = `
WITH head AS (
  UPDATE journal_head SET seq = $3, hash = $4 WHERE seq = $1 AND hash = $2 RETURNING 1
), keys AS (
  INSERT INTO content_keys (key_id, key, enquiry_id)
  SELECT * FROM unnest($9::text[], $10::text[], $11::text[]) WHERE EXISTS (SELECT 1 FROM head)
), recs AS (
  INSERT INTO journal_records (seq, line, at, event_type, enquiry_id)
  SELECT * FROM unnest($5::bigint[], $6::text[], $7::timestamptz[], $8::text[], $12::text[]) WHERE EXISTS (SELECT 1 FROM head)
)
SELECT pg_notify($13, '') FROM head`;

export class PgJournalStore implements JournalStore {
  private readonly address: StoreAddress;
  private readonly now: () => Date;
  private readonly log: (msg: string) => void;
  private readonly sealContent: boolean;
  private readonly probeIntervalMs: number;
  private readonly pollIntervalMs: number;
  private readonly keys = new PgContentKeys();
  private readonly commitListeners: Array<(records: JournalRecord[], remote: boolean) => void> = [];
  private readonly failureListeners: Array<(fromSeq: number) => void> = [];
  private readonly healthListeners: Array<(health: JournalHealth) => void> = [];

  private phase: 'new' | 'opening' | 'open' | 'closing' | 'closed' = 'new';
  private current: JournalHealth = { state: 'ok' };
  private writer: pg.Client | undefined;
  /** The writer's backend, whose notifications are this node's own. */
  private writerPid = 0;
  private listener: pg.Client | undefined;
  private pollTimer: NodeJS.Timeout | undefined;
  private listenTimer: NodeJS.Timeout | undefined;

  private epoch = '';
  private fileEpoch = '';
  private nextSeq = 1;
  private prevHash = '';
  /** The last record in the table that this node has handed on, its own or another node's. */
  private durableSeq = 0;
  private durableHash = '';

  private queued: Group = newGroup();
  private inflight: Group | undefined;
  /** Another node may have appended: look before the next idle moment ends. */
  private behind = false;
  private scheduled = false;
  private pumping = false;
  private pump: Promise<void> = Promise.resolve();

  constructor(options: PgJournalOptions) {
    this.address = parseStoreUrl(options.url);
    this.now = options.now ?? (() => new Date());
    this.log = options.log ?? (() => {});
    this.sealContent = options.sealContent ?? true;
    this.probeIntervalMs = options.probeIntervalMs ?? 1000;
    this.pollIntervalMs = options.pollIntervalMs ?? 500;
  }

  /** Where the journal is, without its password. */
  get shown(): string {
    return `${this.address.shown} (schema ${this.address.schema})`;
  }

  async open(onRecord: (record: JournalRecord) => void, resume?: ResumeFrom): Promise<OpenedJournal> {
    if (this.phase !== 'new') throw new Error(`the journal at ${this.shown} was already opened; make a new store to open it again`);
    this.phase = 'opening';
    try {
      this.writer = await this.connectWriter();
      await checkSchema(this.writer, this.address);
      const head = await this.readHead(this.writer);
      this.epoch = head.epoch;
      this.fileEpoch = head.fileEpoch;
      const warnings: string[] = [];
      const after = await this.resumePoint(head, resume, warnings);
      let seq = 0;
      let hash = genesisHash(head.header);
      const missingKeys = new Set<string>();
      for (;;) {
        const rows = await this.readAfter(this.writer, seq);
        // Records a checkpoint holds are only checked for their place in the chain.
        const records: JournalRecord[] = [];
        for (const { line } of rows) {
          const expected = seq + 1;
          if (expected <= after) {
            const check = checkChainLine(line, hash, expected);
            if (!check.ok) throw this.damaged(expected, check);
            hash = check.hash;
          } else {
            const check = checkRecordLine(line, hash, expected);
            if (!check.ok) throw this.damaged(expected, check);
            hash = check.record.hash;
            records.push(check.record);
          }
          seq = expected;
        }
        for (const record of await this.opened(records, (keyId) => missingKeys.add(keyId))) onRecord(record);
        if (rows.length < PAGE) break;
      }
      if (seq !== head.seq || hash !== head.hash) {
        throw new Error(
          `${this.shown}: journal_head says the last record is seq ${head.seq}, but the records end at seq ${seq}${seq === head.seq ? ' with another hash' : ''}. ` +
            'The journal was altered or damaged after it was written. The broker refuses to start; restore the database from a backup.',
        );
      }
      if (missingKeys.size > 0) {
        warnings.push(`journal: the content of ${missingKeys.size} enquiry key(s) cannot be read: their keys are missing from content_keys; restore the table from the same backup as the journal`);
      }
      this.nextSeq = seq + 1;
      this.prevHash = this.durableHash = hash;
      this.durableSeq = seq;
      this.phase = 'open';
      await this.startListening();
      this.pollTimer = setInterval(() => this.wake(), this.pollIntervalMs);
      this.pollTimer.unref();
      return { epoch: this.epoch, lastSeq: seq, lastHash: hash, resumedAfter: after, warnings };
    } catch (err) {
      await this.disconnect();
      this.phase = 'closed';
      throw err;
    }
  }

  /**
   * The seq up to which a checkpoint already holds the state (after loading it), or 0. The head
   * row and the checkpoint's record are checked first, so a checkpoint of another journal, or
   * one this journal no longer matches, is set aside before anything is folded.
   */
  private async resumePoint(head: Head, resume: ResumeFrom | undefined, warnings: string[]): Promise<number> {
    if (!resume) return 0;
    const { after } = resume;
    let why: string | undefined;
    if (after.fileEpoch !== head.fileEpoch) why = `it was made for journal ${after.fileEpoch}, and this journal is ${head.fileEpoch}`;
    else if (after.seq > head.seq) why = `the journal ends at seq ${head.seq}, before the checkpoint's record ${after.seq}`;
    else {
      const { rows } = await this.writer!.query<{ line: string }>('SELECT line FROM journal_records WHERE seq = $1', [after.seq]);
      if (!rows[0]?.line.endsWith(`,"hash":"${after.hash}"}`)) why = `this journal's record ${after.seq} is not the one it was made from`;
    }
    if (!why) {
      try {
        await resume.load();
        return after.seq;
      } catch (err) {
        why = `it could not be loaded (${(err as Error).message})`;
      }
    }
    resume.onRewind(why);
    warnings.push(`journal: not using the checkpoint (${why}); replayed the whole journal`);
    return 0;
  }

  append(batch: NewRecord[]): { records: JournalRecord[]; durable: Promise<void> } {
    if (this.phase !== 'open') {
      throw new Error(this.phase === 'new' || this.phase === 'opening' ? 'the journal is not open yet' : 'the journal is closed');
    }
    if (this.current.state !== 'ok') throw this.unavailable(this.current);
    if (batch.length === 0) return { records: [], durable: this.flush() };
    const at = this.now().toISOString();
    const records: JournalRecord[] = [];
    const lines: string[] = [];
    let prevHash = this.prevHash;
    let seq = this.nextSeq;
    for (const item of batch) {
      checkNewRecord(item);
      const stored = this.sealContent ? sealEvent(item.event, this.keys) : item.event;
      const { record, line } = encodeRecord(prevHash, seq, at, item.actor, item.ref, stored);
      if (stored !== item.event) record.event = item.event;
      records.push(record);
      lines.push(line);
      prevHash = record.hash;
      seq++;
    }
    this.prevHash = prevHash;
    this.nextSeq = seq;
    const group = this.queued;
    group.keys.push(...this.keys.takePending());
    group.records.push(...records);
    group.lines.push(...lines);
    const durable = new Promise<void>((resolve, reject) => group.waiters.push({ resolve, reject, flush: false }));
    this.schedule();
    return { records, durable };
  }

  position(): JournalPosition {
    // No byte offsets in a table: the seq and hash alone say where a checkpoint stands.
    return { epoch: this.epoch, fileEpoch: this.fileEpoch, seq: this.nextSeq - 1, hash: this.prevHash, offset: 0 };
  }

  onCommit(listener: (records: JournalRecord[], remote: boolean) => void): void {
    this.commitListeners.push(listener);
  }

  onFailure(listener: (fromSeq: number) => void): void {
    this.failureListeners.push(listener);
  }

  health(): JournalHealth {
    return this.current;
  }

  onHealth(listener: (health: JournalHealth) => void): void {
    this.healthListeners.push(listener);
  }

  flush(): Promise<void> {
    const group = this.queued.records.length > 0 ? this.queued : this.inflight;
    if (!group) return Promise.resolve();
    return new Promise<void>((resolve, reject) => group.waiters.push({ resolve, reject, flush: true }));
  }

  /** Content keys are written with the records that use them: nothing else to make durable. */
  flushForCheckpoint(): Promise<void> {
    return this.flush();
  }

  async removeContent(enquiryIds: ReadonlySet<string>, removedOn: string): Promise<number> {
    if (!this.writer) throw this.unavailable({ state: 'degraded', reason: `not connected to ${this.shown}`, since: this.now().toISOString() });
    return this.keys.destroy(this.writer, enquiryIds, removedOn);
  }

  async close(): Promise<void> {
    if (this.phase === 'new' || this.phase === 'closed') {
      this.phase = 'closed';
      return;
    }
    if (this.phase === 'closing') throw new Error('the journal is already closing');
    this.phase = 'closing';
    clearInterval(this.pollTimer);
    clearTimeout(this.listenTimer);
    if (this.current.state !== 'ok' && !this.pumping) {
      // Refused while the connection is down and never sent: certainly not written.
      const error = this.unavailable(this.current);
      for (const w of this.queued.waiters) w.reject(error);
      this.queued = newGroup();
    }
    let failed: unknown;
    try {
      await this.flush();
    } catch (err) {
      failed = err;
    }
    await this.pump;
    await this.disconnect();
    this.phase = 'closed';
    if (failed) throw failed;
  }

  /** Another node appended, or may have: read its records at the next idle moment. */
  private wake(): void {
    this.behind = true;
    this.schedule();
  }

  /** Waits a turn of the event loop, so appends from the same turn share the statement. */
  private schedule(): void {
    if (this.scheduled || this.pumping) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.pump = this.run();
    });
  }

  /** The single writer and reader: one statement at a time, so records are handed on in seq order. */
  private async run(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (this.current.state === 'ok' && this.writer) {
        if (this.queued.records.length > 0) await this.commitGroup();
        else if (this.behind && this.phase === 'open') {
          this.behind = false;
          await this.follow();
        } else break;
      }
    } finally {
      this.pumping = false;
    }
  }

  private async commitGroup(): Promise<void> {
    const group = this.queued;
    this.queued = newGroup();
    this.inflight = group;
    const writer = this.writer!;
    const last = group.records[group.records.length - 1]!;
    let outcome: 'committed' | 'lost' | 'abandoned';
    try {
      outcome = await this.write(writer, group);
    } catch (err) {
      outcome = await this.settleUnknown(group, err as Error);
    }
    if (outcome === 'abandoned') return;
    if (outcome === 'committed') {
      this.inflight = undefined;
      this.durableSeq = last.seq;
      this.durableHash = last.hash;
      for (const w of group.waiters) w.resolve();
      this.handOn(group.records, false);
      return;
    }
    await this.loseRace(group);
  }

  private async write(writer: pg.Client, group: Group): Promise<'committed' | 'lost'> {
    const last = group.records[group.records.length - 1]!;
    const { records, keys } = group;
    const result = await writer.query({
      name: 'courtdesk-append',
      text: APPEND_SQL,
      values: [
        this.durableSeq,
        this.durableHash,
        last.seq,
        last.hash,
        records.map((r) => r.seq),
        group.lines,
        records.map((r) => r.at),
        records.map((r) => r.event.type),
        keys.map((k) => k.keyId),
        keys.map((k) => k.key),
        keys.map((k) => k.enquiryId),
        records.map((r) => (r.event as { enquiryId?: unknown }).enquiryId ?? null),
        wakeChannel(this.address.schema),
      ],
    });
    return result.rowCount === 1 ? 'committed' : 'lost';
  }

  /**
   * The connection failed with a group in flight: whether it committed is unknown until the
   * table says. Appends are refused meanwhile; the answer is read once a connection works again.
   */
  private async settleUnknown(group: Group, err: Error): Promise<'committed' | 'lost' | 'abandoned'> {
    const since = this.now().toISOString();
    this.setHealth({ state: 'degraded', reason: `writing to ${this.shown} failed (${err.message})`, since });
    this.log(`journal: writing to ${this.shown} failed (${err.message}); finding out whether seq ${group.records[0]!.seq} on was written before answering anyone`);
    await this.dropWriter();
    const last = group.records[group.records.length - 1]!;
    for (;;) {
      try {
        const writer = await this.connectWriter();
        const { rows } = await writer.query<{ line: string }>('SELECT line FROM journal_records WHERE seq = $1', [last.seq]);
        this.writer = writer;
        this.setHealth({ state: 'ok' });
        this.log(`journal: reconnected to ${this.shown}; seq ${group.records[0]!.seq} on ${rows[0]?.line.endsWith(`"${last.hash}"}`) ? 'was written' : 'was not written and is decided again'}`);
        return rows[0]?.line.endsWith(`"${last.hash}"}`) ? 'committed' : 'lost';
      } catch (retryErr) {
        if (this.phase !== 'open') {
          // Stopping with the outcome unknown: say nothing rather than something that may be untrue.
          const error = new JournalUnavailableError(
            `The broker stopped before it could learn whether its last records reached ${this.shown} (${(retryErr as Error).message}).`,
            this.current as Exclude<JournalHealth, { state: 'ok' }>,
            true,
          );
          this.inflight = undefined;
          for (const g of [group, this.queued]) for (const w of g.waiters) w.reject(error);
          this.queued = newGroup();
          return 'abandoned';
        }
        await new Promise((resolve) => setTimeout(resolve, this.probeIntervalMs));
      }
    }
  }

  /**
   * Another node's records came first. Reads them, then at once and in this order: takes this
   * node's unwritten records back out of the caller's state, hands the other node's on, and tells
   * the appenders to decide again. Appends made while reading were chained to the lost ones, so
   * they go too.
   */
  private async loseRace(group: Group): Promise<void> {
    let remote: JournalRecord[] = [];
    let readError: Error | undefined;
    try {
      remote = await this.readRemote();
    } catch (err) {
      if (err instanceof JournalDamage) {
        this.inflight = undefined;
        this.fail(err.message, [group, this.queued]);
        return;
      }
      readError = err as Error;
    }
    this.inflight = undefined;
    const lost = [group, this.queued];
    this.queued = newGroup();
    this.nextSeq = this.durableSeq + 1;
    this.prevHash = this.durableHash;
    this.keys.abandon(lost.flatMap((g) => g.keys));
    for (const listener of this.failureListeners) {
      try {
        listener(group.records[0]!.seq);
      } catch (thrown) {
        this.log(`journal: an onFailure listener threw: ${(thrown as Error).stack ?? String(thrown)}`);
      }
    }
    if (readError) {
      // Not written (the head had moved), but the state cannot catch up until a connection works.
      this.log(`journal: reading from ${this.shown} failed (${readError.message}); trying again`);
      void this.dropWriter();
      this.reconnectLater(readError);
      const error = this.unavailable(this.current as Exclude<JournalHealth, { state: 'ok' }>);
      for (const g of lost) for (const w of g.waiters) w.reject(error);
      return;
    }
    if (remote.length > 0) this.accept(remote);
    const conflict = new JournalConflictError(`Another broker node appended to ${this.shown} first; decide again against its records.`);
    for (const g of lost) for (const w of g.waiters) (w.flush ? w.resolve() : w.reject(conflict));
  }

  /** Idle: hands on whatever other nodes appended, unless this node's own appends are now pending. */
  private async follow(): Promise<void> {
    let remote: JournalRecord[];
    try {
      remote = await this.readRemote();
    } catch (err) {
      if (err instanceof JournalDamage) return this.fail(err.message, []);
      if (this.phase !== 'open') return;
      this.log(`journal: reading from ${this.shown} failed (${(err as Error).message}); trying again`);
      await this.dropWriter();
      this.reconnectLater(err as Error);
      return;
    }
    // Appends made meanwhile chain to the old head: their commit will lose the race and catch up.
    if (remote.length === 0 || this.nextSeq !== this.durableSeq + 1) return;
    this.accept(remote);
  }

  private accept(remote: JournalRecord[]): void {
    const last = remote[remote.length - 1]!;
    this.durableSeq = last.seq;
    this.durableHash = last.hash;
    this.nextSeq = last.seq + 1;
    this.prevHash = last.hash;
    for (const record of remote) if (record.event.type === 'retention.applied') this.keys.forget(record.event.enquiryIds, record.event.removedOn);
    this.handOn(remote, true);
  }

  /** Every record after the last one handed on, verified against the chain and opened. */
  private async readRemote(): Promise<JournalRecord[]> {
    const writer = this.writer!;
    const out: JournalRecord[] = [];
    let seq = this.durableSeq;
    let hash = this.durableHash;
    for (;;) {
      const rows = await this.readAfter(writer, seq);
      const records = rows.map((row) => {
        const check = checkRecordLine(row.line, hash, seq + 1);
        if (!check.ok) throw this.damaged(seq + 1, check);
        seq = check.record.seq;
        hash = check.record.hash;
        return check.record;
      });
      out.push(...(await this.opened(records, (keyId) => this.log(`journal: content key ${keyId} is missing from content_keys; its content reads as missing`))));
      if (rows.length < PAGE) return out;
    }
  }

  /** The records with their sealed content opened, fetching keys this node has not seen. */
  private async opened(records: JournalRecord[], onMissing: (keyId: string) => void): Promise<JournalRecord[]> {
    await this.keys.fetch(this.writer!, this.keys.missing(records.map((r) => sealedKeyId(r.event))));
    return records.map((record) => {
      const event = openEvent(record.event, this.keys, onMissing);
      if (event === record.event) return record;
      this.keys.learn(sealedKeyId(record.event), (record.event as { enquiryId: string }).enquiryId);
      return { ...record, event };
    });
  }

  private async readAfter(client: pg.Client, seq: number): Promise<Array<{ line: string }>> {
    const { rows } = await client.query<{ line: string }>({ name: 'courtdesk-read', text: 'SELECT line FROM journal_records WHERE seq > $1 ORDER BY seq LIMIT $2', values: [seq, PAGE] });
    return rows;
  }

  private handOn(records: JournalRecord[], remote: boolean): void {
    for (const listener of this.commitListeners) {
      try {
        listener(records, remote);
      } catch (err) {
        this.log(`journal: an onCommit listener threw: ${(err as Error).stack ?? String(err)}`);
      }
    }
  }

  /** The head row, made with a fresh header on a journal's first start (by whichever node is first). */
  private async readHead(client: pg.Client): Promise<Head> {
    const header = newHeaderLine(this.now());
    const epoch = parseHeaderLine(header).epoch;
    await client.query('INSERT INTO journal_head (header, file_epoch, epoch, seq, hash) VALUES ($1, $2, $2, 0, $3) ON CONFLICT (id) DO NOTHING', [header, epoch, genesisHash(header)]);
    const { rows } = await client.query<{ header: string; file_epoch: string; epoch: string; seq: string; hash: string }>('SELECT header, file_epoch, epoch, seq, hash FROM journal_head');
    const row = rows[0]!;
    try {
      parseHeaderLine(row.header);
    } catch (err) {
      throw new Error(`${this.shown}: journal_head holds no usable header (${(err as Error).message}). The broker refuses to start; restore the database from a backup.`);
    }
    return { header: row.header, fileEpoch: row.file_epoch, epoch: row.epoch, seq: Number(row.seq), hash: row.hash };
  }

  private damaged(seq: number, check: Exclude<LineCheck, { ok: true }>): Error {
    return new JournalDamage(`${this.shown} journal_records seq ${seq}: ${check.detail}. The journal was altered or damaged after it was written. The broker refuses to start; restore the database from a backup.`);
  }

  private async connectWriter(): Promise<pg.Client> {
    const client = new pg.Client(this.address.config);
    // Without a listener an error on an idle connection would crash the process; the next query says what happened.
    client.on('error', () => {});
    await connect(client, this.address);
    const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    this.writerPid = rows[0]!.pid;
    return client;
  }

  private async startListening(): Promise<void> {
    const client = new pg.Client(this.address.config);
    // This node's own appends notify too; it already has those records.
    client.on('notification', (msg) => {
      if (msg.processId !== this.writerPid) this.wake();
    });
    client.on('error', (err) => {
      if (this.listener !== client) return;
      this.listener = undefined;
      void client.end().catch(() => {});
      // Polling carries on meanwhile: a lost wake-up only delays.
      this.log(`journal: lost the wake-up connection to ${this.shown} (${err.message}); polling every ${this.pollIntervalMs} ms until it is back`);
      this.listenTimer = setTimeout(() => void this.startListening().catch(() => {}), this.probeIntervalMs);
      this.listenTimer.unref();
    });
    await connect(client, this.address);
    await client.query(`LISTEN ${wakeChannel(this.address.schema)}`);
    if (this.phase !== 'open') {
      await client.end().catch(() => {});
      return;
    }
    this.listener = client;
  }

  private reconnectLater(err: Error): void {
    this.setHealth({ state: 'degraded', reason: `the connection to ${this.shown} failed (${err.message})`, since: this.now().toISOString() });
    const retry = async (): Promise<void> => {
      if (this.phase !== 'open') return;
      try {
        this.writer = await this.connectWriter();
      } catch {
        setTimeout(() => void retry(), this.probeIntervalMs).unref();
        return;
      }
      this.log(`journal: reconnected to ${this.shown}; serving normally`);
      this.setHealth({ state: 'ok' });
      this.wake();
    };
    setTimeout(() => void retry(), this.probeIntervalMs).unref();
  }

  /** Damage or an unreadable table: no later write can be trusted to chain right, so the broker stops. */
  private fail(reason: string, lost: Group[]): void {
    this.setHealth({ state: 'failed', reason, since: this.now().toISOString() });
    this.log(`journal: ${reason}; the broker must stop`);
    const error = this.unavailable(this.current as Exclude<JournalHealth, { state: 'ok' }>, true);
    this.queued = newGroup();
    for (const g of lost) for (const w of g.waiters) w.reject(error);
  }

  private async dropWriter(): Promise<void> {
    const writer = this.writer;
    this.writer = undefined;
    await writer?.end().catch(() => {});
  }

  private async disconnect(): Promise<void> {
    clearInterval(this.pollTimer);
    clearTimeout(this.listenTimer);
    const listener = this.listener;
    this.listener = undefined;
    await listener?.end().catch(() => {});
    await this.dropWriter();
  }

  private unavailable(health: Exclude<JournalHealth, { state: 'ok' }>, uncertain = false): JournalUnavailableError {
    const what = health.state === 'degraded' ? 'cannot write to its journal' : 'has stopped writing to its journal';
    return new JournalUnavailableError(`The broker ${what} (${health.reason}).`, health, uncertain);
  }

  private setHealth(health: JournalHealth): void {
    if (health.state === this.current.state) return;
    this.current = health;
    for (const listener of this.healthListeners) {
      try {
        listener(health);
      } catch (err) {
        this.log(`journal: an onHealth listener threw: ${(err as Error).stack ?? String(err)}`);
      }
    }
  }
}

/** A record in the table that does not verify where it stands. */
class JournalDamage extends Error {}

interface Head {
  header: string;
  fileEpoch: string;
  epoch: string;
  seq: number;
  hash: string;
}
