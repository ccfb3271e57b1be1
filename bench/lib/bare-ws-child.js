// The fan-out baseline: a bare ws broadcast server with nothing else in it. It takes the same
// intake POST as the broker and, at once, sends every connected client one `event` frame shaped
// like the broker's (encoded once into a Buffer, as a fast server would), then answers 201.
// No journal, no fsync, no state, no coalescing: what Node + ws alone can push.
import { createServer } from 'node:http';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { WebSocketServer } from 'ws';
import { enquiryEventFrame } from './enquiry-load.js';
import { announceReady, serveRpc } from './ipc.js';

const loopDelay = monitorEventLoopDelay({ resolution: 5 });
loopDelay.enable();

const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });
const clients = new Set();
let seq = 0;

const server = createServer((req, res) => {
  if (req.method !== 'POST' || req.url !== '/v1/enquiries') {
    res.writeHead(404).end();
    return;
  }
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    seq++;
    const frame = Buffer.from(JSON.stringify(enquiryEventFrame(seq, body)));
    for (const ws of clients) ws.send(frame, { binary: false });
    const reply = JSON.stringify({ id: `E${seq}`, position: 1, estimatedWaitSeconds: 300 });
    res.writeHead(201, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(reply) }).end(reply);
  });
});

server.on('upgrade', (req, socket, head) => {
  if (!req.url?.startsWith('/v1/agent') || !req.headers.authorization) {
    socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\n\r\n');
    return;
  }
  wss.handleUpgrade(req, socket, head, (ws) => {
    clients.add(ws);
    ws.on('close', () => clients.delete(ws));
    ws.on('error', () => ws.terminate());
    ws.send(JSON.stringify({ type: 'welcome', protocol: 1, epoch: 'bare', seq, resumed: false }));
  });
});

await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const { port } = server.address();

serveRpc({
  memory: () => process.memoryUsage(),
  cpu: () => process.cpuUsage(),
  probes: () => {
    const result = { fsyncs: 0, loopDelayP50: loopDelay.percentile(50) / 1e6, loopDelayP99: loopDelay.percentile(99) / 1e6, loopDelayMax: loopDelay.max / 1e6 };
    loopDelay.reset();
    return result;
  },
  log: () => [],
  close: async () => {
    for (const ws of clients) ws.terminate();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    setTimeout(() => process.exit(0), 50);
    return true;
  },
});

announceReady({ url: `http://127.0.0.1:${port}`, port, startMs: 0, warnings: [] });
