// The journal in PostgreSQL, shared by several broker nodes (tables: pg-schema.ts). Records are
// the file store's records, line for line (record-format.ts): the same seq, the same hash chain
// from the same kind of header, so they verify with the same code.
//
// Appends are decided in the transaction that writes them (appendDecided). Callers hand over a
// decision, not records; one writer gathers every decision queued on this node into one
// transaction (group commit): it locks journal_head (SELECT ... FOR UPDATE, which waits for any
// other node's append to commit), reads and hands on the records other nodes appended since this
// node last looked, so the state is caught up to the head, then runs the decisions against that
// state in order (each folded at once, so the next sees it: one claim wins), inserts their
// records and content keys, moves the head and commits (synchronous_commit on). Callers are
// answered only once PostgreSQL has committed. The head row serializes every node's appends, so
// seq order is commit order, and nothing decided is ever overtaken: no race is lost or retried.
//
// Following: a node reads `WHERE seq > N ORDER BY seq` when a NOTIFY (no payload: a wake-up
// only, since NOTIFY serializes commits database-wide) says another node appended, and every
// 500 ms in case a notification was missed, and hands the records on as `remote` commits.
//
// Failures: an error on the connection while a transaction is in flight leaves its fate unknown
// once its records were sent. The writer reconnects (every `probeIntervalMs`, appends refused
// meanwhile) and reads back the group's last seq: if that row is this group's record, it
// committed and is acknowledged; if not, its records are taken back and its decisions are made
// again in the next transaction. Nobody is told anything before that is known. A statement
// PostgreSQL refuses (an error with a code) rolls back: its records are taken back and its
// callers refused.
//
// Beside this file: pg-append.ts (the transaction), pg-replay.ts (reading and verifying the
// table), pg-connections.ts (the writer and the wake-up listener), pg-keys.ts, pg-schema.ts.
import type pg from 'pg';
import type { JournalRecord } from '../../domain/events.js';
import { encodeBatch } from './append-batch.js';
import { checkSchema, parseStoreUrl, wakeChannel, type StoreAddress } from './pg-schema.js';
import { PgContentKeys } from './pg-keys.js';
import { CATCH_UP_PAGE, lockHead, newGroup, writeAndCommit, type Group, type Locked, type Written } from './pg-append.js';
import { checkLines, JournalDamage, lineAt, readChain, readHead, resumePoint } from './pg-replay.js';
import { openWriter, WakeListener } from './pg-connections.js';
import { PgLeases } from './pg-leases.js';
import { PgSharedTokens, type SharedTokens } from './pg-tokens.js';
import { PgSharedCheckpoint } from './pg-checkpoint.js';
import { checkPrefix } from './pg-prefix-check.js';
import type { DeliveryLeases } from './delivery-leases.js';
import { genesisHash } from './record-format.js';
import { openEvent, sealedKeyId } from './sealing.js';
import { StoreSignals, waitOn, type Unhealthy } from './store-signals.js';
import { JournalUnavailableError, type JournalPosition, type JournalStore, type NewRecord, type OpenedJournal, type ResumeFrom } from './store.js';

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

export class PgJournalStore extends StoreSignals implements JournalStore {
  private readonly address: StoreAddress;
  private readonly now: () => Date;
  private readonly sealContent: boolean;
  private readonly probeIntervalMs: number;
  private readonly pollIntervalMs: number;
  private readonly keys = new PgContentKeys();

  private phase: 'new' | 'opening' | 'open' | 'closing' | 'closed' = 'new';
  private writer: pg.Client | undefined;
  /** The writer's backend, whose notifications are this node's own. */
  private writerPid = 0;
  private readonly listener: WakeListener;
  private pollTimer: NodeJS.Timeout | undefined;
  private stopPrefixCheck: (() => Promise<void>) | undefined;

  private epoch = '';
  /** The hash record 1 chains to. */
  private genesis = '';
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
    super(options.log ?? (() => {}), '');
    this.address = parseStoreUrl(options.url);
    this.now = options.now ?? (() => new Date());
    this.sealContent = options.sealContent ?? true;
    this.probeIntervalMs = options.probeIntervalMs ?? 1000;
    this.pollIntervalMs = options.pollIntervalMs ?? 500;
    this.sharedCheckpoint = new PgSharedCheckpoint(this.address, this.log);
    this.listener = new WakeListener({
      address: this.address,
      isOwn: (pid) => pid === this.writerPid,
      onWake: () => this.wake(),
      log: this.log,
      retryMs: this.probeIntervalMs,
      pollIntervalMs: this.pollIntervalMs,
    });
  }

  /** Where the journal is, without its password. */
  get shown(): string {
    return `${this.address.shown} (schema ${this.address.schema})`;
  }

  async open(onRecord: (record: JournalRecord) => void, resume?: ResumeFrom): Promise<OpenedJournal> {
    if (this.phase !== 'new') throw new Error(`the journal at ${this.shown} was already opened; make a new store to open it again`);
    this.phase = 'opening';
    try {
      await this.connectWriter();
      const writer = this.writer!;
      await checkSchema(writer, this.address);
      const head = await readHead(writer, this.shown, this.now());
      this.epoch = head.epoch;
      this.genesis = genesisHash(head.header);
      this.fileEpoch = head.fileEpoch;
      const warnings: string[] = [];
      const after = await resumePoint(writer, head, resume, warnings);
      // From a checkpoint, the records it covers are verified while the node serves (pg-prefix-check.ts).
      const from = after > 0 ? { seq: after, hash: resume!.after.hash } : { seq: 0, hash: this.genesis };
      const missingKeys = new Set<string>();
      const end = await readChain(writer, this.shown, from, async (records) => {
        for (const record of await this.opened(records, (keyId) => missingKeys.add(keyId))) onRecord(record);
      });
      if (end.seq !== head.seq || end.hash !== head.hash) {
        throw new Error(
          `${this.shown}: journal_head says the last record is seq ${head.seq}, but the records end at seq ${end.seq}${end.seq === head.seq ? ' with another hash' : ''}. ` +
            'The journal was altered or damaged after it was written. The broker refuses to start; restore the database from a backup.',
        );
      }
      if (missingKeys.size > 0) {
        warnings.push(`journal: the content of ${missingKeys.size} enquiry key(s) cannot be read: their keys are missing from content_keys; restore the table from the same backup as the journal`);
      }
      this.nextSeq = end.seq + 1;
      this.prevHash = this.durableHash = end.hash;
      this.durableSeq = end.seq;
      this.phase = 'open';
      await this.listener.start();
      this.pollTimer = setInterval(() => this.wake(), this.pollIntervalMs);
      this.pollTimer.unref();
      if (after > 0) this.checkBefore(from);
      return { epoch: this.epoch, lastSeq: end.seq, lastHash: end.hash, resumedAfter: after, warnings };
    } catch (err) {
      await this.disconnect();
      this.phase = 'closed';
      throw err;
    }
  }

  appendDecided(decide: () => NewRecord[], fold: (records: JournalRecord[]) => void): Promise<JournalRecord[]> {
    if (this.phase !== 'open') {
      return Promise.reject(new Error(this.phase === 'new' || this.phase === 'opening' ? 'the journal is not open yet' : 'the journal is closed'));
    }
    if (this.current.state !== 'ok') return Promise.reject(this.unavailable(this.current));
    return new Promise((resolve, reject) => {
      this.queued.decisions.push({ decide, fold, resolve, reject, records: [] });
      this.schedule();
    });
  }

  position(): JournalPosition {
    // No byte offsets in a table: the seq and hash alone say where a checkpoint stands.
    return { epoch: this.epoch, fileEpoch: this.fileEpoch, seq: this.nextSeq - 1, hash: this.prevHash, offset: 0 };
  }

  flush(): Promise<void> {
    const group = this.queued.decisions.length > 0 ? this.queued : this.inflight;
    return group ? waitOn(group.flushes, true) : Promise.resolve();
  }

  /** Content keys are written with the records that use them: nothing else to make durable. */
  flushForCheckpoint(): Promise<void> {
    return this.flush();
  }

  async removeContent(enquiryIds: ReadonlySet<string>, removedOn: string): Promise<number> {
    if (!this.writer) throw this.unavailable({ state: 'degraded', reason: `not connected to ${this.shown}`, since: this.now().toISOString() });
    return this.keys.destroy(this.writer, enquiryIds, removedOn);
  }

  async recordsBetween(afterSeq: number, throughSeq: number): Promise<JournalRecord[]> {
    const writer = this.writer;
    if (!writer) throw this.unavailable({ state: 'degraded', reason: `not connected to ${this.shown}`, since: this.now().toISOString() });
    const hash = afterSeq === 0 ? this.genesis : /,"hash":"([0-9a-f]{64})"\}$/.exec((await lineAt(writer, afterSeq)) ?? '')?.[1];
    if (!hash) throw new Error(`${this.shown} has no record ${afterSeq} to resume after`);
    const out: JournalRecord[] = [];
    await readChain(
      writer,
      this.shown,
      { seq: afterSeq, hash },
      async (records) => {
        out.push(...(await this.opened(records, () => {})));
      },
      0,
      throughSeq,
    );
    return out;
  }

  readonly sharedCheckpoint: PgSharedCheckpoint;

  sharedTokens(): SharedTokens {
    return new PgSharedTokens(this.address);
  }

  deliveryLeases(leaseMs: number): DeliveryLeases {
    return new PgLeases(this.address, leaseMs, this.log);
  }

  async close(): Promise<void> {
    if (this.phase === 'new' || this.phase === 'closed') {
      this.phase = 'closed';
      return;
    }
    if (this.phase === 'closing') throw new Error('the journal is already closing');
    this.phase = 'closing';
    clearInterval(this.pollTimer);
    if (this.current.state !== 'ok' && !this.pumping) {
      // Refused while the connection is down and never sent: certainly not written.
      rejectGroups([this.queued], this.unavailable(this.current));
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

  private checkBefore(end: { seq: number; hash: string }): void {
    this.stopPrefixCheck = checkPrefix(
      { config: this.address.config, shown: this.shown, genesis: this.genesis, end },
      {
        onVerified: (ms) => this.log(`journal: verified seq 1-${end.seq}, the records the checkpoint covers, in ${(ms / 1000).toFixed(1)} s beside serving`),
        onDamage: (message) => this.fail(message, []),
        onUnverified: (message) => this.log(`journal: could not verify seq 1-${end.seq}, the records the checkpoint covers (${message}); they are verified at the next start`),
      },
    );
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
        if (this.queued.decisions.length > 0) await this.commitGroup();
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
    let written: Written | undefined;
    try {
      const locked = await lockHead(writer, this.durableSeq);
      if (locked.head.seq !== this.durableSeq || locked.head.hash !== this.durableHash) await this.catchUp(locked);
      // What was queued while the lock was awaited joins this transaction rather than waiting for
      // the next one: with two nodes the wait is the other node's whole transaction, and this
      // node's posters, answered just before it, post again during it.
      this.joinQueued(group);
      written = this.decide(group);
      if (written.records.length > 0) await writeAndCommit(writer, written, wakeChannel(this.address.schema));
      else await writer.query('COMMIT');
    } catch (err) {
      await this.transactionFailed(group, written, err as Error);
      return;
    }
    this.committed(group, written);
  }

  private joinQueued(group: Group): void {
    group.decisions.push(...this.queued.decisions);
    group.flushes.push(...this.queued.flushes);
    this.queued = newGroup();
  }

  /** Inside the transaction, holding the head: every record up to it, handed on before anything is decided. */
  private async catchUp({ head, lines, keys }: Locked): Promise<void> {
    const page = checkLines(this.shown, { seq: this.durableSeq, hash: this.durableHash }, lines);
    this.keys.learnRows(keys);
    const remote = await this.opened(page.records, (keyId) => this.log(`journal: content key ${keyId} is missing from content_keys; its content reads as missing`));
    if (remote.length > 0) this.accept(remote);
    if (lines.length === CATCH_UP_PAGE) {
      const rest = await this.readRemote();
      if (rest.length > 0) this.accept(rest);
    }
    if (this.durableSeq !== head.seq || this.durableHash !== head.hash) {
      throw new JournalDamage(
        `${this.shown}: journal_head says the last record is seq ${head.seq}, but the records end at seq ${this.durableSeq}${this.durableSeq === head.seq ? ' with another hash' : ''}. ` +
          'The journal was altered or damaged after it was written. The broker stops; restore the database from a backup.',
      );
    }
  }

  /** Runs the group's decisions in order against the caught-up state, folding each before the next. */
  private decide(group: Group): Written {
    const written: Written = { records: [], lines: [], keys: [] };
    const at = this.now().toISOString();
    for (const decision of group.decisions) {
      decision.records = [];
      decision.error = undefined;
      let encoded;
      try {
        const batch = decision.decide();
        if (batch.length === 0) continue;
        encoded = encodeBatch(batch, this.prevHash, this.nextSeq, at, this.sealContent ? this.keys : undefined);
      } catch (err) {
        decision.error = err as Error;
        continue;
      }
      this.prevHash = encoded.lastHash;
      this.nextSeq = encoded.nextSeq;
      decision.records = encoded.records;
      written.records.push(...encoded.records);
      written.lines.push(...encoded.lines);
      try {
        decision.fold(encoded.records);
      } catch (err) {
        // As on the file store: the records stand (they are the journal's), the caller hears the error.
        decision.error = err as Error;
      }
    }
    written.keys = this.keys.takePending();
    return written;
  }

  private committed(group: Group, written: Written): void {
    this.inflight = undefined;
    const last = written.records[written.records.length - 1];
    if (last) {
      this.durableSeq = last.seq;
      this.durableHash = last.hash;
    }
    for (const d of group.decisions) (d.error ? d.reject(d.error) : d.resolve(d.records));
    for (const w of group.flushes) w.resolve();
    if (last) this.handOn(written.records, false);
  }

  private async transactionFailed(group: Group, written: Written | undefined, err: Error): Promise<void> {
    if (err instanceof JournalDamage) {
      // Found while holding the head: let the other nodes go on (or find the same) while this one stops.
      await this.writer?.query('ROLLBACK').catch(() => {});
      this.inflight = undefined;
      return this.fail(err.message, [group, this.queued]);
    }
    if (refusedStatement(err)) {
      // The transaction is rolled back, nothing of it written, and the connection still serves.
      await this.writer?.query('ROLLBACK').catch(() => {});
      this.inflight = undefined;
      if (written) this.notWritten(written);
      const since = this.now().toISOString();
      rejectGroups([group], new JournalUnavailableError(`PostgreSQL refused the append to ${this.shown} (${err.message}).`, { state: 'degraded', reason: err.message, since }));
      return;
    }
    const outcome = await this.settleUnknown(group, written, err);
    if (outcome === 'abandoned') return;
    if (outcome === 'committed') return this.committed(group, written!);
    // Never acknowledged, so decided again in the next transaction, ahead of what queued meanwhile.
    this.inflight = undefined;
    if (written) this.notWritten(written);
    this.queued = { decisions: [...group.decisions, ...this.queued.decisions], flushes: [...group.flushes, ...this.queued.flushes] };
  }

  /** Takes a transaction's records back out of the caller's state; the next one reuses their seqs. */
  private notWritten(written: Written): void {
    this.nextSeq = this.durableSeq + 1;
    this.prevHash = this.durableHash;
    this.keys.abandon(written.keys);
    if (written.records.length > 0) this.takeBack(written.records[0]!.seq);
  }

  /**
   * The connection failed with a transaction in flight: whether it committed is unknown until the
   * table says (only once its records were sent can it have). Appends are refused meanwhile; the
   * answer is read once a connection works again.
   */
  private async settleUnknown(group: Group, written: Written | undefined, err: Error): Promise<'committed' | 'not written' | 'abandoned'> {
    const since = this.now().toISOString();
    const last = written?.records[written.records.length - 1];
    this.setHealth({ state: 'degraded', reason: `writing to ${this.shown} failed (${err.message})`, since });
    this.log(`journal: writing to ${this.shown} failed (${err.message})${last ? `; finding out whether seq ${written!.records[0]!.seq} on was written before answering anyone` : ''}`);
    await this.dropWriter();
    for (;;) {
      try {
        await this.connectWriter();
        const isWritten = last ? ((await lineAt(this.writer!, last.seq))?.endsWith(`"${last.hash}"}`) ?? false) : false;
        this.setHealth({ state: 'ok' });
        this.log(`journal: reconnected to ${this.shown}${last ? `; seq ${written!.records[0]!.seq} on ${isWritten ? 'was written' : 'was not written and is decided again'}` : ''}`);
        return isWritten ? 'committed' : 'not written';
      } catch (retryErr) {
        await this.dropWriter();
        if (this.phase !== 'open') {
          // Stopping with the outcome unknown: say nothing rather than something that may be untrue.
          const error = new JournalUnavailableError(
            last
              ? `The broker stopped before it could learn whether its last records reached ${this.shown} (${(retryErr as Error).message}).`
              : `The broker stopped while it could not reach ${this.shown} (${(retryErr as Error).message}); nothing was recorded.`,
            this.current as Unhealthy,
            last !== undefined,
          );
          this.inflight = undefined;
          rejectGroups([group, this.queued], error);
          this.queued = newGroup();
          return 'abandoned';
        }
        await new Promise((resolve) => setTimeout(resolve, this.probeIntervalMs));
      }
    }
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
    if (remote.length > 0) this.accept(remote);
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
    const out: JournalRecord[] = [];
    await readChain(this.writer!, this.shown, { seq: this.durableSeq, hash: this.durableHash }, async (records) => {
      out.push(...(await this.opened(records, (keyId) => this.log(`journal: content key ${keyId} is missing from content_keys; its content reads as missing`))));
    });
    return out;
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

  private async connectWriter(): Promise<void> {
    const { client, pid } = await openWriter(this.address);
    this.writer = client;
    this.writerPid = pid;
  }

  private reconnectLater(err: Error): void {
    this.setHealth({ state: 'degraded', reason: `the connection to ${this.shown} failed (${err.message})`, since: this.now().toISOString() });
    const retry = async (): Promise<void> => {
      if (this.phase !== 'open') return;
      try {
        await this.connectWriter();
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
    this.queued = newGroup();
    rejectGroups(lost, this.unavailable(this.current as Unhealthy, true));
  }

  private async dropWriter(): Promise<void> {
    const writer = this.writer;
    this.writer = undefined;
    await writer?.end().catch(() => {});
  }

  private async disconnect(): Promise<void> {
    clearInterval(this.pollTimer);
    await this.stopPrefixCheck?.();
    await this.sharedCheckpoint.close();
    await this.listener.stop();
    await this.dropWriter();
  }
}

function rejectGroups(groups: Group[], error: Error): void {
  for (const g of groups) {
    for (const d of g.decisions) d.reject(error);
    for (const w of g.flushes) w.reject(error);
  }
}

/**
 * An error PostgreSQL answered a statement with, on a connection that still works. Not one of a
 * broken connection (none), a connection exception (08), an administrator's termination or a
 * shutdown (57), a lack of resources (53), a system error (58) or an internal one (XX): after
 * those whether a COMMIT happened is unknown until the table is read again.
 */
function refusedStatement(err: Error): boolean {
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) && !/^(08|57|53|58|XX)/.test(code);
}
