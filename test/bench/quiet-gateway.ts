// Starts the real gateway for the benchmark at WS_LOG_LEVEL=warn and waits for /readyz (the "listening" line is info). I/O.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { parseDockerfile } from '../images/dockerfile.ts';
import { freePort, stopChild, track } from './processes.ts';

/** BENCH_GATEWAY_MAIN points the benchmark at another copy of the gateway (A/B comparisons). */
export const gatewayMain = process.env.BENCH_GATEWAY_MAIN ?? fileURLToPath(new URL('../../sidecar/src/main.ts', import.meta.url));

const root = fileURLToPath(new URL('../../', import.meta.url));

/**
 * `npm run build`'s gateway bundle (sidecar/scripts/bundle.ts), as the image runs it; returns
 * dist/ws-gateway/ws-gateway.cjs. The container image runs this, so its RSS is the figure that counts.
 */
export function compileGateway(): string {
  const bundle = `${root}dist/ws-gateway/ws-gateway.cjs`;
  execFileSync(process.execPath, [`${root}sidecar/scripts/bundle.ts`, bundle], { cwd: root, stdio: 'inherit' });
  return bundle;
}

/** The node flags of the gateway image (the Dockerfile's ws-gateway ENTRYPOINT between `node` and the script). */
export function imageNodeFlags(): string[] {
  const stage = parseDockerfile(readFileSync(`${root}Dockerfile`, 'utf8')).find((s) => s.name === 'ws-gateway');
  const entrypoint = stage?.entrypoint;
  if (!entrypoint || entrypoint[0] !== 'node' || entrypoint.length < 2) throw new Error('Dockerfile: the ws-gateway stage has no ["node", …, "<main>"] ENTRYPOINT');
  return entrypoint.slice(1, -1);
}

export interface QuietGatewayOptions {
  /** The entry point to run (default `gatewayMain`: the sources, or BENCH_GATEWAY_MAIN). */
  main?: string;
  /** Node flags before the entry point (V8 flags such as --trace-gc are refused in NODE_OPTIONS). */
  nodeArgs?: readonly string[];
  startTimeoutMs?: number;
}

export interface QuietGateway {
  readonly child: ChildProcess;
  readonly pid: number;
  readonly baseUrl: string;
  readonly wsUrl: string;
  /** From spawn to the first /readyz 200 (polled every 10 ms). */
  readonly startupMs: number;
  /** JSON log lines (warn and above at the default level of this helper). */
  readonly logs: Record<string, unknown>[];
  stderr(): string;
  /** SIGTERM, then SIGKILL after `timeoutMs`; resolves with the exit code or signal. */
  stop(timeoutMs?: number): Promise<number | string>;
}

/** Spawns the gateway (sources unless `main` says otherwise) with `env` (plus host/port/log level defaults) and polls /readyz until it answers 200. */
export async function startQuietGateway(env: Record<string, string>, options: QuietGatewayOptions = {}): Promise<QuietGateway> {
  const startTimeoutMs = options.startTimeoutMs ?? 20_000;
  const port = await freePort();
  const spawnedAt = performance.now();
  const child = track(spawn(process.execPath, [...(options.nodeArgs ?? []), options.main ?? gatewayMain], {
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
    await sleep(10);
  }
  const startupMs = performance.now() - spawnedAt;
  return {
    child,
    pid: child.pid!,
    baseUrl,
    startupMs,
    wsUrl: `ws://127.0.0.1:${port}/ws`,
    logs,
    stderr: () => stderr,
    async stop(timeoutMs = 15_000) {
      await stopChild(child, timeoutMs);
      return child.exitCode ?? child.signalCode ?? 'unknown';
    },
  };
}
