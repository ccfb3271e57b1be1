// The worker thread that verifies the PostgreSQL journal's records up to a checkpoint while the
// node already serves from it (pg-prefix-check.ts starts it): on its own connection, reading and
// hashing off the main thread, so a long history costs the start nothing.
import { parentPort, workerData } from 'node:worker_threads';
import pg from 'pg';
import { JournalDamage, readChain } from './pg-replay.js';

export interface PrefixJob {
  config: pg.ClientConfig;
  shown: string;
  /** The hash record 1 chains to. */
  genesis: string;
  /** The checkpoint's record: the chain must reach it exactly. */
  end: { seq: number; hash: string };
}

export type PrefixResult = { ok: true } | { ok: false; damage: boolean; message: string };

async function verifyPrefix({ config, shown, genesis, end }: PrefixJob): Promise<PrefixResult> {
  const client = new pg.Client(config);
  client.on('error', () => {});
  try {
    await client.connect();
    const reached = await readChain(client, shown, { seq: 0, hash: genesis }, async () => {}, end.seq, end.seq);
    if (reached.seq !== end.seq || reached.hash !== end.hash) {
      throw new JournalDamage(`${shown}: the records before seq ${end.seq + 1} do not chain to the checkpoint's record ${end.seq}. The journal was altered or damaged after it was written; restore the database from a backup`);
    }
    return { ok: true };
  } catch (err) {
    return { ok: false, damage: err instanceof JournalDamage, message: (err as Error).message };
  } finally {
    await client.end().catch(() => {});
  }
}

void verifyPrefix(workerData as PrefixJob).then((result) => parentPort?.postMessage(result));
