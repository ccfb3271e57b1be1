// An auditor signs in to the workbench: it reads the queue and conversations, and the keys that
// would change something say the role may not, without sending anything to the broker.
import { describe, expect, it } from 'vitest';
import { addToken } from '../../src/broker/tokens.js';
import { deskPerTest } from './harness.js';

const t = deskPerTest();

/** A token added while the broker runs, once the broker has read it. */
async function liveToken(name: string): Promise<string> {
  const token = await addToken(t.desk.dir, { name, role: 'auditor' });
  for (let tries = 0; tries < 100; tries++) {
    const res = await fetch(`${t.desk.url}/v1/enquiries/ENOSUCH1`, { headers: { authorization: `Bearer ${token}` } });
    if (res.status !== 401) return token;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('the broker never read the new token');
}

describe('the workbench for an auditor', () => {
  it('reads conversations, and refuses to claim, take, or set presence without asking the broker', async () => {
    const id = await t.desk.post({ name: 'Jane Smith', text: 'My claim number is 305JE126, when is the hearing?' });
    const m = await t.workbench({ token: await liveToken('audrey'), columns: 120 });
    await m.waitFor((f) => /\d\d:\d\d Jane Smith: My claim number is 305JE126/.test(f), 'the loaded conversation');

    await m.press('c');
    await m.waitFor((f) => f.includes('This is an auditor token, which may not claim an enquiry'), 'the refusal of c');
    await m.press('n');
    await m.waitFor((f) => f.includes("Could not take the next enquiry: This is an auditor token"), 'the refusal of n');
    expect((await t.desk.get(id)).claimedBy).toBeNull();
    // With the broker gone a command sent would wait in the outbox; this one is refused at once.
    await t.desk.broker.close();
    await m.waitFor((f) => !f.includes(' connected'), 'the workbench to see the broker gone');
    await m.press('p');
    await m.waitFor((f) => f.includes('This is an auditor token, which may not set presence'), 'the refusal of p');
    expect(m.client.pending).toEqual([]);
  });
});
