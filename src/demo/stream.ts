// Plays the live part of the demo through real HTTP intake, one enquiry every few seconds, round
// and round for as long as the demo runs.
import { request } from 'undici';
import { STREAM } from './morning.js';

export interface DemoStream {
  stop(): void;
}

export function playStream(url: string, intakeToken: string, seededIds: string[], paceMs: number, onError: (msg: string) => void): DemoStream {
  let index = 0;
  const post = async (path: string, body: unknown) => {
    const res = await request(`${url}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${intakeToken}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    await res.body.dump();
    if (res.statusCode !== 201) onError(`demo stream: intake answered ${res.statusCode}`);
  };
  const timer = setInterval(() => {
    const item = STREAM[index % STREAM.length]!;
    index++;
    const sending =
      'followUpOf' in item
        ? post(`/v1/enquiries/${seededIds[item.followUpOf]}/messages`, { text: item.text })
        : post('/v1/enquiries', item);
    sending.catch((err: Error) => onError(`demo stream: ${err.message}`));
  }, paceMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
