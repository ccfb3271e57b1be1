// Listening for the broker's HTTP server, with refusals an operator can act on.
import type { Server } from 'node:http';

/** Listens, or rejects with what an operator can act on instead of Node's own words. */
export function listen(server: Server, host: string, port: number): Promise<void> {
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    return Promise.reject(new Error(`--port must be a whole number from 0 to 65535 (got ${port}); 0 picks any free port`));
  }
  return new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      const where = `${host}:${port}`;
      const why: Record<string, string> = {
        EADDRINUSE: `${where} is already in use, perhaps by another broker: stop it, or start this one with another --port (0 picks a free one)`,
        EACCES: `this user may not listen on ${where}: use a port above 1023, or run it where it is allowed`,
        EADDRNOTAVAIL: `${host} is not an address of this machine: use --host 127.0.0.1, 0.0.0.0 or one of its own addresses`,
        ENOTFOUND: `${host} is not a host name this machine knows: use --host 127.0.0.1, 0.0.0.0 or an address`,
      };
      reject(new Error(err.code && why[err.code] ? `cannot listen: ${why[err.code]}` : `cannot listen on ${where}: ${err.message}`));
    });
    server.listen(port, host, () => resolve());
  });
}
