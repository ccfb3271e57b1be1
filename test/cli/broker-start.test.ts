// `courtdesk broker` as an operator meets it: start errors in plain words with nothing left
// behind, and a second Ctrl-C that does not skip the flush.
import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BIN, makeTokens, postEnquiry, spawnBroker, tempDir } from '../helpers/broker.js';
import { WireClient } from '../helpers/wire-client.js';

const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await fs.rm(d, { recursive: true, force: true });
});

function run(args: string[]): Promise<{ code: number | null; stderr: string; stdout: string }> {
  const child = spawn(process.execPath, [BIN, 'broker', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  let stdout = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, stderr, stdout })));
}

describe('courtdesk broker start errors', () => {
  it('a port in use, or out of range, says so plainly and leaves no lock behind', async () => {
    const dataDir = await tempDir();
    dirs.push(dataDir);
    const taken = createServer();
    await new Promise<void>((r) => taken.listen(0, '127.0.0.1', r));
    const port = (taken.address() as { port: number }).port;
    try {
      const busy = await run(['--port', String(port), '--data', dataDir]);
      expect(busy.code).toBe(1);
      expect(busy.stderr).toMatch(new RegExp(`cannot listen: 127\\.0\\.0\\.1:${port} is already in use, perhaps by another broker: stop it, or start this one with another --port`));
      expect(busy.stderr).not.toMatch(/EADDRINUSE/);
      await expect(fs.stat(join(dataDir, 'journal.lock'))).rejects.toMatchObject({ code: 'ENOENT' });
    } finally {
      taken.close();
    }
    const range = await run(['--port', '70000', '--data', dataDir]);
    expect(range.stderr).toMatch(/--port must be a whole number from 0 to 65535 \(got 70000\)/);
    expect(range.stderr).not.toMatch(/options\.port/);
    await expect(fs.stat(join(dataDir, 'journal.lock'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('a second SIGINT while stopping says it is still stopping, and the stop still finishes cleanly', async () => {
    const dataDir = await tempDir();
    dirs.push(dataDir);
    const tokens = await makeTokens(dataDir);
    const broker = await spawnBroker(dataDir);
    await postEnquiry(broker.url, tokens.intake);
    // A client that never answers the close keeps the stop going for about a second.
    const stubborn = await WireClient.connect(broker.url, tokens.agent);
    broker.child.kill('SIGINT');
    // Two signals sent at once may arrive as one: send the second once the first is heard.
    while (!broker.stdout.join('').includes('SIGINT received')) await new Promise((r) => setTimeout(r, 5));
    broker.child.kill('SIGINT');
    expect(await broker.exited).toBe(0);
    const said = broker.stdout.join('');
    expect(said).toMatch(/SIGINT received again; still stopping/);
    expect(said).toMatch(/stopped cleanly/);
    await expect(fs.stat(join(dataDir, 'journal.lock'))).rejects.toMatchObject({ code: 'ENOENT' });
    await fs.stat(join(dataDir, 'checkpoint.ndjson'));
    expect(stubborn.closeCode).toBe(1001);
  });
});
