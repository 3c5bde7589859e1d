// Load generator for the gateway benchmark: a forked child that holds many `ws` clients and obeys IPC commands. I/O.
//
// Keeping clients in their own process keeps their file descriptors and CPU apart from the server under test.
// Every request carries an `id`; the answer is `{id, ok, result | error}`. The process exits when the parent leaves.
import WebSocket from 'ws';
import { buildEchoMessage, EchoRecorder, readEchoSeq, type EchoTally } from './echo-load.ts';

export type LoadCommand =
  | { cmd: 'open'; url: string; count: number; batch: number; localAddresses: string[]; user?: string; userModulo?: number }
  | { cmd: 'resetCounts' }
  | { cmd: 'counts' }
  | { cmd: 'waitFrames'; total: number; timeoutMs: number }
  | { cmd: 'pace'; connections: number; ratePerSec: number; durationMs: number }
  | { cmd: 'echo'; connections: number; ratePerSec: number; durationMs: number; graceMs: number }
  | { cmd: 'now' }
  | { cmd: 'closeAll'; timeoutMs: number };

export interface OpenResult { opened: number; failed: number; firstError?: string; elapsedMs: number }
export interface Counts { frames: number; bytes: number; firstAt: number; lastAt: number; unexpectedCloses: number; open: number }
export interface PaceResult { sent: number; elapsedMs: number; maxLagMs: number }
export type EchoResult = EchoTally & { elapsedMs: number; maxLagMs: number };

type Request = LoadCommand & { id: number };

const clients: WebSocket[] = [];
let closing = false;
const counts: Counts = { frames: 0, bytes: 0, firstAt: 0, lastAt: 0, unexpectedCloses: 0, open: 0 };
let frameWaiter: (() => void) | undefined;
/** Set while an echo run is on: every frame is offered to it. */
let echoSink: ((data: Buffer, at: number) => void) | undefined;

const now = (): number => performance.timeOrigin + performance.now();

function onMessage(data: Buffer): void {
  const at = now();
  if (counts.frames === 0) counts.firstAt = at;
  counts.lastAt = at;
  counts.frames += 1;
  counts.bytes += data.length;
  echoSink?.(data, at);
  frameWaiter?.();
}

function openOne(url: string, headers: Record<string, string>, localAddress: string | undefined): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { headers, localAddress, perMessageDeflate: false, handshakeTimeout: 15_000 });
    socket.once('open', () => {
      socket.off('error', reject);
      socket.on('error', () => undefined);
      resolve(socket);
    });
    socket.once('unexpected-response', (_req, res) => {
      socket.off('error', reject);
      socket.on('error', () => undefined);
      socket.terminate();
      reject(new Error(`upgrade refused with HTTP ${res.statusCode}`));
    });
    socket.once('error', reject);
  });
}

async function open(command: Extract<LoadCommand, { cmd: 'open' }>): Promise<OpenResult> {
  const started = performance.now();
  let opened = 0;
  let failed = 0;
  let firstError: string | undefined;
  for (let base = 0; base < command.count; base += command.batch) {
    const size = Math.min(command.batch, command.count - base);
    const batch = Array.from({ length: size }, (_, k) => {
      const index = clients.length + base + k;
      const user = command.user ?? (command.userModulo ? `user-${index % command.userModulo}` : undefined);
      const headers: Record<string, string> = user === undefined ? {} : { 'X-Bfl-User': user };
      const localAddress = command.localAddresses.length ? command.localAddresses[index % command.localAddresses.length] : undefined;
      return openOne(command.url, headers, localAddress);
    });
    const settled = await Promise.allSettled(batch);
    for (const result of settled) {
      if (result.status === 'fulfilled') {
        opened += 1;
        counts.open += 1;
        result.value.on('message', onMessage);
        result.value.on('close', () => {
          counts.open -= 1;
          if (!closing) counts.unexpectedCloses += 1;
        });
        clients.push(result.value);
      } else {
        failed += 1;
        firstError ??= String(result.reason);
      }
    }
    if (failed > 0) break;
  }
  return { opened, failed, ...(firstError === undefined ? {} : { firstError }), elapsedMs: performance.now() - started };
}

function waitFrames(total: number, timeoutMs: number): Promise<Counts> {
  return new Promise((resolve) => {
    const finish = (): void => {
      frameWaiter = undefined;
      clearTimeout(timer);
      resolve({ ...counts });
    };
    const timer = setTimeout(finish, timeoutMs);
    frameWaiter = () => { if (counts.frames >= total) finish(); };
    frameWaiter();
  });
}

/** Sends `{"t":<send time>,"c":<conn>,"i":<seq>}` round-robin over the first `connections` clients, evenly paced. */
function pace(connections: number, ratePerSec: number, durationMs: number): Promise<PaceResult> {
  const targets = clients.slice(0, connections);
  const total = Math.floor((ratePerSec * durationMs) / 1000);
  const intervalMs = 1000 / ratePerSec;
  const started = performance.now();
  let sent = 0;
  let maxLagMs = 0;
  return new Promise((resolve) => {
    const tick = setInterval(() => {
      const elapsed = performance.now() - started;
      while (sent < total && sent * intervalMs <= elapsed) {
        maxLagMs = Math.max(maxLagMs, performance.now() - started - sent * intervalMs);
        const conn = sent % targets.length;
        targets[conn]!.send(`{"t":${now()},"c":${conn},"i":${sent}}`);
        sent += 1;
      }
      if (sent >= total || elapsed > durationMs + 5000) {
        clearInterval(tick);
        resolve({ sent, elapsedMs: performance.now() - started, maxLagMs });
      }
    }, 1);
  });
}

/**
 * Sends echo messages round-robin over the first `connections` clients, evenly paced at `ratePerSec` in total, and
 * times each echo on this process's clock (no clock offset needed); waits `graceMs` after the last send for stragglers.
 */
async function echo(command: Extract<LoadCommand, { cmd: 'echo' }>): Promise<EchoResult> {
  const targets = clients.slice(0, command.connections);
  if (targets.length < command.connections) throw new Error(`echo: ${targets.length} clients open, ${command.connections} wanted`);
  const total = Math.floor((command.ratePerSec * command.durationMs) / 1000);
  const recorder = new EchoRecorder(total);
  echoSink = (data, at) => {
    const seq = readEchoSeq(data.toString('utf8'));
    if (seq !== undefined) recorder.echoed(seq, at);
  };
  const intervalMs = 1000 / command.ratePerSec;
  const started = performance.now();
  let sent = 0;
  let maxLagMs = 0;
  try {
    await new Promise<void>((resolve) => {
      const tick = setInterval(() => {
        const elapsed = performance.now() - started;
        while (sent < total && sent * intervalMs <= elapsed) {
          maxLagMs = Math.max(maxLagMs, performance.now() - started - sent * intervalMs);
          const at = now();
          const seq = recorder.next(at)!;
          targets[sent % targets.length]!.send(buildEchoMessage(seq, at));
          sent += 1;
        }
        if (sent >= total || elapsed > command.durationMs + 5000) {
          clearInterval(tick);
          resolve();
        }
      }, 1);
    });
    const elapsedMs = performance.now() - started;
    const graceEnds = performance.now() + command.graceMs;
    while (recorder.pending > 0 && performance.now() < graceEnds) await new Promise((r) => setTimeout(r, 50));
    return { ...recorder.tally(), elapsedMs, maxLagMs };
  } finally {
    echoSink = undefined;
  }
}

async function closeAll(timeoutMs: number): Promise<{ stillOpen: number }> {
  closing = true;
  const closed = clients.map((socket) => new Promise<void>((resolve) => {
    if (socket.readyState === WebSocket.CLOSED) resolve();
    else socket.once('close', () => resolve());
  }));
  for (const socket of clients) socket.close(1000);
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([Promise.all(closed), new Promise<void>((resolve) => { timer = setTimeout(resolve, timeoutMs); })]);
  clearTimeout(timer);
  const stillOpen = clients.filter((s) => s.readyState !== WebSocket.CLOSED).length;
  for (const socket of clients) socket.terminate();
  clients.length = 0;
  return { stillOpen };
}

async function handle(request: Request): Promise<unknown> {
  switch (request.cmd) {
    case 'open': return open(request);
    case 'resetCounts': Object.assign(counts, { frames: 0, bytes: 0, firstAt: 0, lastAt: 0 }); return { ...counts };
    case 'counts': return { ...counts };
    case 'waitFrames': return waitFrames(request.total, request.timeoutMs);
    case 'pace': return pace(request.connections, request.ratePerSec, request.durationMs);
    case 'echo': return echo(request);
    case 'now': return { now: now() };
    case 'closeAll': return closeAll(request.timeoutMs);
  }
}

process.on('message', (request: Request) => {
  handle(request).then(
    (result) => process.send?.({ id: request.id, ok: true, result }),
    (error: unknown) => process.send?.({ id: request.id, ok: false, error: String(error) }),
  );
});
process.on('disconnect', () => process.exit(0));
