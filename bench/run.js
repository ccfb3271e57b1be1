// `npm run bench`: every benchmark in turn, one at a time (the machine is shared), then a summary
// table of the figures with their targets. Needs the build (npm run bench builds first).
import { existsSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { runCentreBench } from './centre.js';
import { runExportBench } from './export.js';
import { runFanoutBench } from './fanout.js';
import { runIntakeBench } from './intake.js';
import { peerSummaryRows, runPeersBench } from './peers.js';
import { runRecoveryBench } from './recovery.js';
import { runVerifyBench } from './verify.js';
import { summaryTable } from './lib/stats.js';

const print = (line) => console.log(line);

/** The journal bench belongs to the journal's author and returns its own shape; take what it reports. */
function journalRows(result) {
  if (Array.isArray(result)) return result;
  const rows = [];
  if (typeof result?.baselinePerSecond === 'number') {
    rows.push({ name: 'journal: fdatasync per record baseline', value: result.baselinePerSecond, unit: 'records/s' });
  }
  if (typeof result?.store?.perSecond === 'number') {
    rows.push({ name: 'journal: FileJournalStore, 64 appenders', value: result.store.perSecond, unit: 'records/s' });
  }
  if (typeof result?.replay?.foldSeconds === 'number') {
    rows.push({ name: 'journal: open() + reducer fold, 1M records', value: result.replay.foldSeconds, unit: 's', digits: 2 });
  }
  return rows;
}

const benches = [];
if (existsSync(fileURLToPath(new URL('./journal.js', import.meta.url)))) {
  benches.push([
    'journal',
    async () => {
      const { runJournalBench } = await import('./journal.js');
      return journalRows(await runJournalBench({ print }));
    },
  ]);
}
benches.push(['intake', () => runIntakeBench({ print })], ['fan-out', () => runFanoutBench({ print })], ['recovery', () => runRecoveryBench({ print })], ['verify', () => runVerifyBench({ print })]);
benches.push(['export', () => runExportBench({ print })]);
benches.push(['centre', () => runCentreBench({ print })]);
// courtdesk against its peers (bare ws, Mosquitto, PostgreSQL); `npm run bench -- --quick` runs its short form.
benches.push(['peers', async () => peerSummaryRows(await runPeersBench({ print, quick: process.argv.includes('--quick') }))]);

print(`courtdesk benchmarks: Node ${process.version}, ${cpus().length} cores, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
const rows = [];
const failed = [];
const started = performance.now();
for (const [name, run] of benches) {
  print('');
  try {
    rows.push(...(await run()));
  } catch (err) {
    failed.push(name);
    print(`${name} bench failed: ${err instanceof Error ? err.stack : String(err)}`);
  }
}
print('');
print(`summary (${((performance.now() - started) / 1000).toFixed(0)} s; load average now ${loadavg().map((l) => l.toFixed(2)).join(' ')})`);
print(summaryTable(rows));
const missed = rows.filter((r) => r.pass === false).length;
print(`${rows.filter((r) => r.pass === true).length} targets met, ${missed} missed${failed.length ? `; failed to run: ${failed.join(', ')}` : ''}`);
if (failed.length) process.exitCode = 1;
