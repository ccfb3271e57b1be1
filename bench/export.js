// Transcript export: a case of 200 messages (customer messages, replies with their deliveries,
// internal notes, an escalation with its full email, the court's answer) among 20,000 records of
// other enquiries, exported through the real binary in each format, offline from the data folder
// and from a broker over its API: spawn to exit, as a user runs it. Prints time and size.
// Journals are written with the real FileJournalStore. Needs the build. Run: node bench/export.js
import { spawn } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { loadTemplates } from '../dist/broker/escalation/template-loader.js';
import { FileJournalStore, JOURNAL_FILE } from '../dist/broker/journal/file-store.js';
import { addToken } from '../dist/broker/tokens.js';
import { renderTemplate } from '../dist/domain/templates.js';
import { startBrokerProcess } from './lib/broker-process.js';
import { Figures, fmt } from './lib/stats.js';

const BIN = fileURLToPath(new URL('../bin/courtdesk.js', import.meta.url));
const CASE = '305JE126';
const MESSAGES = 200;
const OTHER_ENQUIRIES = 10_000;
const RUNS = 3;
const FORMATS = ['json', 'text', 'html'];

const intake = { kind: 'intake', name: 'webform' };
const alice = { kind: 'agent', name: 'alice' };
const delivery = { kind: 'system', name: 'delivery' };
const CUSTOMER = 'Hello, I sent my defence for claim 305JE126 by post two weeks ago and have heard nothing. Can you tell me whether the court has it, and when the hearing is?';
const REPLY = 'Thank you for your message. I am checking with the court now and will come back to you as soon as I hear; there is no need to send the defence again.';
const NOTE = 'Phoned the hearing centre: no answer after 20 minutes. Will email them with the hearing-date template and chase on Friday if nothing comes back.';

/** The case: 200 messages in all, a third each customer, reply (delivered), note, with the escalation in the middle. */
async function caseRecords() {
  const id = 'ECASE0001';
  const records = [
    { actor: intake, event: { type: 'enquiry.received', enquiryId: id, messageId: 'M0', channel: 'whatsapp', from: '+447700900123', name: 'Dee Jones', text: CUSTOMER, language: 'en', callbackUrl: null } },
    { actor: alice, event: { type: 'enquiry.claimed', enquiryId: id, agent: 'alice' } },
    { actor: alice, event: { type: 'enquiry.tagged', enquiryId: id, caseNumber: CASE, format: 'civil' } },
  ];
  const template = (await loadTemplates()).get('hearing-date', 'en');
  const email = renderTemplate(template, {
    customerName: 'Dee Jones',
    caseNumbers: CASE,
    channel: 'whatsapp',
    enquiryId: id,
    messageSummary: CUSTOMER,
    agentName: 'alice',
    courtName: 'Birmingham Civil and Family Justice Centre',
  });
  for (let i = 1; i < MESSAGES; i++) {
    const messageId = `M${i}`;
    if (i % 3 === 0) records.push({ actor: intake, event: { type: 'enquiry.message', enquiryId: id, messageId, text: `${CUSTOMER} (${i})` } });
    if (i % 3 === 1) {
      records.push({ actor: alice, event: { type: 'enquiry.replied', enquiryId: id, messageId, agent: 'alice', text: `${REPLY} (${i})` } });
      records.push({ actor: delivery, event: { type: 'reply.delivery', enquiryId: id, messageId, state: 'delivered', attempts: 1 } });
    }
    if (i % 3 === 2) records.push({ actor: alice, event: { type: 'enquiry.noted', enquiryId: id, messageId, agent: 'alice', text: `${NOTE} (${i})` } });
    if (i === MESSAGES / 2) {
      const escalation = { enquiryId: id, escalationId: 'XCASE0001' };
      records.push({
        actor: alice,
        event: { type: 'escalation.created', ...escalation, courtSlug: 'birmingham-civil-and-family-justice-centre', courtName: 'Birmingham Civil and Family Justice Centre', to: 'enquiries.birmingham.countycourt@justice.gov.uk', template: 'hearing-date', language: 'en', subject: email.subject, text: email.text, html: email.html },
      });
      records.push({ actor: { kind: 'system', name: 'mail' }, event: { type: 'escalation.delivery', ...escalation, state: 'sent', attempts: 1, chaseDueOn: '2026-12-09' } });
      records.push({ actor: intake, event: { type: 'escalation.answered', ...escalation, messageId: 'MANSWER', text: 'The defence was received on 20 November; the hearing is listed for 2 December at 2pm.' } });
    }
  }
  return records;
}

/** The case's records spread among other enquiries' (each received and claimed), as a real journal mixes them. */
async function writeJournal(dataDir) {
  const store = new FileJournalStore({ dir: dataDir, log: () => {} });
  await store.open(() => {});
  const ours = await caseRecords();
  const every = Math.floor((OTHER_ENQUIRIES * 2) / ours.length);
  let batch = [];
  for (let i = 0; i < OTHER_ENQUIRIES; i++) {
    const enquiryId = `EOTHER${i}`;
    batch.push({ actor: intake, event: { type: 'enquiry.received', enquiryId, messageId: `MO${i}`, channel: 'web', from: `caller${i}@example.org`, name: null, text: CUSTOMER, language: 'en', callbackUrl: null } });
    batch.push({ actor: alice, event: { type: 'enquiry.claimed', enquiryId, agent: 'alice' } });
    if (ours.length > 0 && (2 * i) % every < 2) batch.push(ours.shift());
    if (batch.length >= 1000) {
      await store.append(batch).durable;
      batch = [];
    }
  }
  batch.push(...ours);
  await store.append(batch).durable;
  await store.close();
  return (await stat(join(dataDir, JOURNAL_FILE))).size;
}

/** Runs `courtdesk export …` to exit; the wall time in ms. */
function timedExport(args) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [BIN, 'export', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.once('exit', (code) => (code === 0 ? resolve(performance.now() - started) : reject(new Error(`export exited ${code}: ${stderr}`))));
  });
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

export async function runExportBench({ print = console.log } = {}) {
  const figures = new Figures(print);
  const dir = await mkdtemp(join(tmpdir(), 'courtdesk-bench-export-'));
  let broker;
  try {
    const dataDir = join(dir, 'data');
    const journalBytes = await writeJournal(dataDir);
    print(`transcript export: a case of ${MESSAGES} messages among ${fmt(OTHER_ENQUIRIES)} other enquiries (journal ${fmt(journalBytes / 1024 / 1024, 1)} MB), through the binary, median of ${RUNS} runs`);
    print(`  machine load average before: ${loadavg().map((l) => l.toFixed(2)).join(' ')} (2 cores; other work on the machine skews every figure)`);
    const token = await addToken(dataDir, { name: 'bench-supervisor', role: 'supervisor' });
    for (const source of ['offline', 'broker']) {
      if (source === 'broker') broker = await startBrokerProcess({ dataDir });
      const from = source === 'offline' ? ['--data', dataDir] : ['--broker', broker.url, '--token', token, '--timeout-ms', '120000'];
      for (const format of FORMATS) {
        const out = join(dir, `transcript-${source}.${format}`);
        const times = [];
        for (let run = 0; run < RUNS; run++) times.push(await timedExport(['--case', CASE, '--format', format, '--out', out, ...from]));
        figures.add({ name: `export: ${format}, ${source === 'offline' ? '--data (offline)' : '--broker (over the API)'}`, value: median(times), unit: 'ms' });
        // The same bytes either way (test/cli/export-bin.test.ts checks the two agree).
        if (source === 'offline') figures.add({ name: `export: ${format} size`, value: (await stat(out)).size / 1024, unit: 'KB' });
      }
    }
    return figures.rows;
  } finally {
    await broker?.close();
    await rm(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await runExportBench();
