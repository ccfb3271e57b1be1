// Shared by the client's tests: waiting on what a client reports. The broker they run against is
// test/helpers/broker.ts's.
import type { BrokerClient } from '../../src/client/types.js';

/** Resolves when `test` holds, checking after every change the client reports; fails with `what` if it never does. */
export function until(client: BrokerClient, test: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  if (test()) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      stop();
      reject(new Error(`timed out waiting until ${what}`));
    }, timeoutMs);
    const stop = client.subscribe(() => {
      if (!test()) return;
      clearTimeout(timer);
      stop();
      resolve();
    });
  });
}
