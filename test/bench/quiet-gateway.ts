// Starts the real gateway for the benchmark at WS_LOG_LEVEL=warn and waits for /readyz (the "listening" line is info). I/O.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { stopChild, track } from './processes.ts';

/** BENCH_GATEWAY_MAIN points the benchmark at another copy of the gateway (A/B comparisons). */
export const gatewayMain = process.env.BENCH_GATEWAY_MAIN ?? fileURLToPath(new URL('../../sidecar/src/main.ts', import.meta.url));

export interface QuietGateway {
  readonly child: ChildProcess;
  readonly pid: number;
  readonly baseUrl: string;
  readonly wsUrl: string;
  /** JSON log lines (warn and above at the default level of this helper). */
  readonly logs: Record<string, unknown>[];
  stderr(): string;
  /** SIGTERM, then SIGKILL after `timeoutMs`; resolves with the exit code or signal. */
  stop(timeoutMs?: number): Promise<number | string>;
}

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  await once(server, 'close');
  if (typeof address !== 'object' || !address) throw new Error('could not pick a free port');
  return address.port;
}

/** Spawns sidecar/src/main.ts with `env` (plus host/port/log level defaults) and polls /readyz until it answers 200. */
export async function startQuietGateway(env: Record<string, string>, startTimeoutMs = 20_000): Promise<QuietGateway> {
  const port = await freePort();
  const child = track(spawn(process.execPath, [gatewayMain], {
    env: { PATH: process.env.PATH ?? '', WS_GATEWAY_HOST: '127.0.0.1', WS_LOG_LEVEL: 'warn', ...env, WS_GATEWAY_PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  }));
  const logs: Record<string, unknown>[] = [];
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk; });
  createInterface({ input: child.stdout! }).on('line', (line) => {
    try {
      logs.push(JSON.parse(line) as Record<string, unknown>);
    } catch {
      logs.push({ unparsed: line });
    }
  });
  const baseUrl = `http://127.0.0.1:${port}`;
  const deadline = performance.now() + startTimeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`gateway exited (${child.exitCode ?? child.signalCode}) before it was ready; stderr: ${stderr}`);
    const ready = await fetch(`${baseUrl}/readyz`, { signal: AbortSignal.timeout(1000) }).then((r) => r.status === 200, () => false);
    if (ready) break;
    if (performance.now() > deadline) {
      await stopChild(child, 2000);
      throw new Error(`gateway was not ready within ${startTimeoutMs} ms; stderr: ${stderr}`);
    }
    await sleep(50);
  }
  return {
    child,
    pid: child.pid!,
    baseUrl,
    wsUrl: `ws://127.0.0.1:${port}/ws`,
    logs,
    stderr: () => stderr,
    async stop(timeoutMs = 15_000) {
      await stopChild(child, timeoutMs);
      return child.exitCode ?? child.signalCode ?? 'unknown';
    },
  };
}
