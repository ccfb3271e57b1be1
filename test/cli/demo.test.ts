import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BIN, RawAgent } from '../helpers/broker.js';

describe('courtdesk demo --no-ui', () => {
  it('serves a morning of enquiries, streams more, and deletes its data on Ctrl-C', async () => {
    const child = spawn(process.execPath, [BIN, 'demo', '--no-ui', '--pace', '0.2'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    const deadline = Date.now() + 15_000;
    while (!/intake token/.test(out) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const url = /listening on (http:\/\/\S+)/.exec(out)![1]!;
    const dataDir = /\(data (\S+)\)/.exec(out)![1]!;
    const token = /agent token \(demo, en\+cy\):\s+(\S+)/.exec(out)![1]!;

    const agent = await RawAgent.connect(url, token);
    const welcome = await agent.welcome();
    expect(welcome.agent).toMatchObject({ name: 'demo', languages: ['en', 'cy'] });
    const enquiries = welcome.snapshot.enquiries as Array<{ language: string; channel: string; waitingSince: string | null }>;
    expect(enquiries.length).toBeGreaterThanOrEqual(10);
    expect(new Set(enquiries.map((e) => e.language))).toEqual(new Set(['en', 'cy']));
    expect(new Set(enquiries.map((e) => e.channel))).toEqual(new Set(['web', 'whatsapp', 'sms']));
    // The morning opens with people already waiting over an hour.
    const oldest = Math.min(...enquiries.filter((e) => e.waitingSince).map((e) => Date.parse(e.waitingSince!)));
    expect(Date.now() - oldest).toBeGreaterThan(60 * 60_000);
    await agent.waitFor(() => agent.events().filter((e) => e.event.type === 'enquiry.received').length >= 2, 'live enquiries');

    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(existsSync(dataDir)).toBe(false);
  });
});
