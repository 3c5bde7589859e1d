// Raw TCP clients for contract tests that must misbehave exactly: hand-written requests, a WebSocket opened
// without a library, masked frames written straight to the socket. I/O.
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';

export interface RawResponse {
  status: number;
  /** Lower-case header names; repeated headers joined with ", ". */
  headers: Record<string, string>;
  body: string;
}

/** Opens a TCP connection to 127.0.0.1:port (or `host`). */
export async function openSocket(port: number, host = '127.0.0.1'): Promise<Socket> {
  const socket = connect(port, host);
  socket.on('error', () => undefined);
  await once(socket, 'connect');
  return socket;
}

function parseHead(head: string): Omit<RawResponse, 'body'> {
  const [statusLine = '', ...lines] = head.split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon === -1) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
  }
  return { status: Number(statusLine.split(' ')[1] ?? 0), headers };
}

/**
 * Writes `request` as is and resolves with the answer once the server closed the connection, or once a complete
 * response (Content-Length) or a 101 arrived. Rejects when nothing complete came within `timeoutMs`.
 */
export async function rawExchange(port: number, request: string | Buffer, timeoutMs = 10000): Promise<RawResponse & { socket: Socket; rest: Buffer }> {
  const socket = await openSocket(port);
  socket.write(request);
  return readResponse(socket, timeoutMs);
}

/** Reads one HTTP response from `socket` (see rawExchange); `rest` holds what followed a 101. */
export function readResponse(socket: Socket, timeoutMs = 10000): Promise<RawResponse & { socket: Socket; rest: Buffer }> {
  return new Promise((resolve, reject) => {
    let data = Buffer.alloc(0);
    const finish = (): boolean => {
      const end = data.indexOf('\r\n\r\n');
      if (end === -1) return false;
      const head = parseHead(data.subarray(0, end).toString('latin1'));
      const after = data.subarray(end + 4);
      if (head.status === 101) {
        done({ ...head, body: '', socket, rest: after });
        return true;
      }
      const length = Number(head.headers['content-length'] ?? NaN);
      if (Number.isFinite(length) && after.length >= length) {
        done({ ...head, body: after.subarray(0, length).toString('utf8'), socket, rest: after.subarray(length) });
        return true;
      }
      return false;
    };
    const onData = (chunk: Buffer) => {
      data = Buffer.concat([data, chunk]);
      finish();
    };
    const onClose = () => {
      if (!finish()) {
        cleanup();
        reject(new Error(`connection closed without a complete response; got ${JSON.stringify(data.toString('latin1').slice(0, 200))}`));
      }
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`no complete response within ${timeoutMs} ms; got ${JSON.stringify(data.toString('latin1').slice(0, 200))}`));
    }, timeoutMs);
    function cleanup() {
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('close', onClose);
    }
    function done(response: RawResponse & { socket: Socket; rest: Buffer }) {
      cleanup();
      resolve(response);
    }
    socket.on('data', onData);
    socket.on('close', onClose);
  });
}

/** A GET /ws upgrade request, with `headers` added or replacing the defaults (a null value drops a default). */
export function upgradeRequest(headers: Record<string, string | string[] | null> = {}, requestLine = 'GET /ws HTTP/1.1'): string {
  const all: Record<string, string | string[] | null> = {
    Host: 'gateway.test',
    Connection: 'Upgrade',
    Upgrade: 'websocket',
    'Sec-WebSocket-Version': '13',
    'Sec-WebSocket-Key': randomBytes(16).toString('base64'),
    ...headers,
  };
  const lines = Object.entries(all).flatMap(([name, value]) => value === null ? [] : (Array.isArray(value) ? value : [value]).map((v) => `${name}: ${v}`));
  return `${requestLine}\r\n${lines.join('\r\n')}\r\n\r\n`;
}

/** Upgrades a raw socket to a WebSocket (no library on the client side); rejects unless the answer is 101. */
export async function openRawWebSocket(port: number, headers: Record<string, string | string[] | null> = {}): Promise<Socket> {
  const answer = await rawExchange(port, upgradeRequest(headers));
  if (answer.status !== 101) {
    answer.socket.destroy();
    throw new Error(`upgrade refused with ${answer.status}: ${answer.body}`);
  }
  if (answer.rest.length > 0) answer.socket.unshift(answer.rest);
  return answer.socket;
}

/** One masked client frame (RFC 6455 §5.2): FIN set, opcode 1 text / 2 binary / 8 close / 9 ping. */
export function clientFrame(opcode: number, payload: Buffer | string): Buffer {
  const data = typeof payload === 'string' ? Buffer.from(payload) : payload;
  const lengthBytes = data.length < 126 ? 0 : data.length < 65536 ? 2 : 8;
  const frame = Buffer.alloc(2 + lengthBytes + 4 + data.length);
  frame[0] = 0x80 | opcode;
  if (lengthBytes === 0) frame[1] = 0x80 | data.length;
  else if (lengthBytes === 2) {
    frame[1] = 0x80 | 126;
    frame.writeUInt16BE(data.length, 2);
  } else {
    frame[1] = 0x80 | 127;
    frame.writeBigUInt64BE(BigInt(data.length), 2);
  }
  const mask = randomBytes(4);
  mask.copy(frame, 2 + lengthBytes);
  const offset = 2 + lengthBytes + 4;
  for (let i = 0; i < data.length; i++) frame[offset + i] = data[i]! ^ mask[i % 4]!;
  return frame;
}

/** A masked close frame with a code. */
export function clientCloseFrame(code: number): Buffer {
  const payload = Buffer.alloc(2);
  payload.writeUInt16BE(code);
  return clientFrame(8, payload);
}

/**
 * Resolves with how long the socket took to close (0 if it already was), or undefined when it is still open after
 * `timeoutMs`. It reads (and discards) what arrives meanwhile: a socket nobody reads never sees the server's FIN.
 */
export async function closedWithin(socket: Socket, timeoutMs: number): Promise<number | undefined> {
  const started = performance.now();
  if (socket.destroyed) return 0;
  if (socket.listenerCount('data') === 0) socket.resume();
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      once(socket, 'close').then(() => performance.now() - started),
      new Promise<undefined>((resolve) => { timer = setTimeout(() => resolve(undefined), timeoutMs); }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
