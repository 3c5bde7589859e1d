// Baseline for the gateway benchmark: a plain `ws` server with no gateway logic, run as a forked child. I/O.
//
// It holds connections on /ws, broadcasts on `POST /broadcast {"payload":…}` (one JSON.stringify, then a loop of
// `send`), and with BASELINE_FORWARD_URL forwards each inbound message to the app as one HTTP POST over a
// keep-alive agent (64 sockets, like the gateway's callback concurrency); with BASELINE_ECHO=1 it sends each inbound
// message straight back (the echo round trip's floor). It reports its port over IPC.
import { createServer, request, Agent, type IncomingMessage, type ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { WebSocketServer, type WebSocket } from 'ws';

const host = process.env.BASELINE_HOST ?? '127.0.0.1';
const forwardUrl = process.env.BASELINE_FORWARD_URL ? new URL(process.env.BASELINE_FORWARD_URL) : undefined;
const echo = process.env.BASELINE_ECHO === '1';
const agent = new Agent({ keepAlive: true, maxSockets: 64 });
let forwardErrors = 0;

const wss = new WebSocketServer({ noServer: true });

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

async function broadcast(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const body = JSON.parse(await readBody(req)) as { payload?: unknown };
  const frame = JSON.stringify(body.payload ?? null);
  let sent = 0;
  for (const client of wss.clients) {
    client.send(frame);
    sent += 1;
  }
  res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ code: 0, message: 'success', data: { sent } }));
}

function forward(target: URL, body: string): void {
  const req = request(target, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
    res.resume();
    if ((res.statusCode ?? 0) >= 300) forwardErrors += 1;
  });
  req.on('error', () => { forwardErrors += 1; });
  req.end(body);
}

function attachForwarder(socket: WebSocket, req: IncomingMessage, target: URL): void {
  const connId = randomUUID();
  const userName = String(req.headers['x-bfl-user'] ?? '');
  const token = randomUUID();
  socket.on('message', (data: Buffer, isBinary: boolean) => {
    let parsed: unknown;
    try {
      parsed = isBinary ? data.toString('base64') : JSON.parse(data.toString('utf8'));
    } catch {
      parsed = data.toString('utf8');
    }
    forward(target, JSON.stringify({ action: 'message', conn_id: connId, user_name: userName, data: parsed, token, access_public: true }));
  });
}

const server = createServer((req, res) => {
  if (req.method === 'POST' && req.url === '/broadcast') {
    broadcast(req, res).catch((error: unknown) => {
      res.writeHead(400).end(JSON.stringify({ code: 400, message: String(error) }));
    });
    return;
  }
  if (req.url === '/forward-errors') {
    res.writeHead(200).end(JSON.stringify({ forwardErrors }));
    return;
  }
  res.writeHead(404).end();
});

server.on('upgrade', (req, socket, head) => {
  if (req.url !== '/ws') {
    socket.destroy();
    return;
  }
  wss.handleUpgrade(req, socket, head, (ws) => {
    if (forwardUrl) attachForwarder(ws, req, forwardUrl);
    if (echo) ws.on('message', (data: Buffer, isBinary: boolean) => ws.send(data, { binary: isBinary }));
  });
});

server.listen(0, host, () => {
  const address = server.address();
  process.send?.({ type: 'listening', port: typeof address === 'object' && address ? address.port : 0 });
});

function shutdown(): void {
  for (const client of wss.clients) client.terminate();
  server.close();
  agent.destroy();
  process.exit(0);
}
process.on('SIGTERM', shutdown);
process.on('disconnect', shutdown);
