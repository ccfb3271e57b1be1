// A command that fails inside the broker is answered INTERNAL and logged; the broker serves on.
import { afterEach, describe, expect, it } from 'vitest';
import { makeTokens, postEnquiry, RawAgent, spawnBroker, startTestBroker, tempDir, type SpawnedBroker, type TestBroker } from '../helpers/broker.js';

// Names every plain object answers to: a command table looked up with `in` finds each of them.
const PROTOTYPE_NAMES = Object.getOwnPropertyNames(Object.prototype);

/**
 * Sends one command per Object.prototype name, about an enquiry that exists (so each gets past the
 * lookup and into the decision), and returns the answer to each (ack or error).
 */
async function sendPrototypeNames(agent: RawAgent, enquiryId: string): Promise<any[]> {
  for (const name of PROTOTYPE_NAMES) agent.ws.send(JSON.stringify({ type: name, ref: `proto-${name}`, enquiryId, state: 'away' }));
  const answered = () => PROTOTYPE_NAMES.map((name) => agent.frames.find((f) => (f.type === 'ack' || f.type === 'error') && f.ref === `proto-${name}`));
  await agent.waitFor(() => answered().every(Boolean), 'an answer to every prototype name');
  return answered();
}

/** A claim, start to finish: the broker still decides and records commands. */
async function claimStillWorks(url: string, intake: string, agent: RawAgent): Promise<void> {
  const id = await postEnquiry(url, intake);
  expect(await agent.command({ type: 'claim', ref: 'after-proto', enquiryId: id })).toMatchObject({ ok: true, seq: expect.any(Number) });
  await agent.waitFor(() => agent.events().some((e) => e.event.type === 'enquiry.claimed' && e.event.enquiryId === id), 'the claim event');
}

describe('a command that fails inside the broker', () => {
  let t: TestBroker | undefined;
  let spawned: SpawnedBroker | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
    if (spawned && spawned.child.exitCode === null) {
      spawned.child.kill('SIGTERM');
      await spawned.exited;
    }
    spawned = undefined;
  });

  it('answers every Object.prototype name as a command type, and the broker keeps serving', async () => {
    t = await startTestBroker();
    const id = await postEnquiry(t.url, t.tokens.intake);
    const agent = await RawAgent.connect(t.url, t.tokens.agent);
    await agent.welcome();
    const answers = await sendPrototypeNames(agent, id);
    for (const [i, answer] of answers.entries()) {
      expect(answer, PROTOTYPE_NAMES[i]).toMatchObject({ type: 'ack', ok: false });
      // INTERNAL while parse-command.ts finds these names in its table; UNKNOWN_COMMAND once it does not.
      expect(['INTERNAL', 'UNKNOWN_COMMAND'], PROTOTYPE_NAMES[i]).toContain(answer.error.code);
      if (answer.error.code === 'INTERNAL') expect(answer.error.message).toMatch(/could not carry out .*logged.*Try again/);
    }
    const internal = answers.filter((a) => a.error.code === 'INTERNAL');
    // Each failure is logged with its stack.
    expect(t.logs.filter((l) => l.startsWith('error carrying out') && l.includes('\n    at '))).toHaveLength(internal.length);

    await claimStillWorks(t.url, t.tokens.intake, agent);
    // Other sockets were never disturbed.
    const other = await RawAgent.connect(t.url, t.tokens.agent2);
    expect(await other.welcome()).toMatchObject({ type: 'welcome' });
    expect(await other.command({ type: 'presence', ref: 'still-here', state: 'away' })).toMatchObject({ ok: true });
    agent.close();
    other.close();
  });

  it('carries out a ref again after an INTERNAL answer instead of remembering the failure', async () => {
    t = await startTestBroker();
    const enquiryId = await postEnquiry(t.url, t.tokens.intake);
    const agent = await RawAgent.connect(t.url, t.tokens.agent);
    await agent.welcome();
    const first = await agent.command({ type: 'toString', ref: 'retry-me', enquiryId });
    agent.frames.length = 0;
    const second = await agent.command({ type: 'toString', ref: 'retry-me', enquiryId });
    expect(second).toMatchObject({ ok: false, error: { code: first.error.code } });
    if (first.error.code === 'INTERNAL') {
      // Two attempts, two logged failures: the second was carried out, not read from memory.
      expect(t.logs.filter((l) => l.includes('"retry-me"'))).toHaveLength(2);
    }
    agent.close();
  });

  it('leaves the real binary running after every Object.prototype name', async () => {
    const dataDir = await tempDir();
    const tokens = await makeTokens(dataDir);
    spawned = await spawnBroker(dataDir);
    const id = await postEnquiry(spawned.url, tokens.intake);
    const agent = await RawAgent.connect(spawned.url, tokens.agent);
    await agent.welcome();
    await sendPrototypeNames(agent, id);
    // An unhandled rejection ends a Node process on the next turns of the event loop: give it time.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(spawned.child.exitCode).toBeNull();
    expect((await fetch(`${spawned.url}/healthz`)).status).toBe(200);
    await claimStillWorks(spawned.url, tokens.intake, agent);
    agent.close();
  });
});
