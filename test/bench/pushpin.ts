// Pushpin for the gateway benchmark: install it when missing, run one instance from a temp dir on free loopback
// ports in front of a WebSocket-over-HTTP backend, publish to it, stop it and remove the dir. I/O.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildPublishBody, buildPushpinConfig, buildPushpinRoutes } from './pushpin-config.ts';
import { freePort, stopChild, track, waitForWebSocket } from './processes.ts';

const pushpinBin = '/usr/bin/pushpin';

/** Installs the Debian package `pushpin` unless it is there; returns its version line. */
export function ensurePushpin(log: (line: string) => void): string {
  if (!existsSync(pushpinBin)) {
    log('pushpin is missing: apt-get install -y pushpin');
    execFileSync('apt-get', ['install', '-y', 'pushpin'], { stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  }
  return execFileSync(pushpinBin, ['--version'], { encoding: 'utf8' }).trim();
}

export interface Pushpin {
  readonly child: ChildProcess;
  /** The runner; its condure, proxy and handler are its children (sum their RSS with readTreeRssKiB). */
  readonly pid: number;
  readonly wsUrl: string;
  /** From spawn to the first WebSocket connection accepted through it (which needs the backend's OPEN answer). */
  readonly startupMs: number;
  /** Publishes `content` as one WebSocket message to every subscriber of `channel`. */
  publish(channel: string, content: string): Promise<void>;
  /** The last 4000 characters Pushpin and its services wrote (warnings and errors at the configured log level). */
  output(): string;
  stop(): Promise<void>;
}

export async function startPushpin(backendPort: number): Promise<Pushpin> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-pushpin-'));
  mkdirSync(join(dir, 'run'));
  mkdirSync(join(dir, 'log'));
  const ports = { http: await freePort(), publish: await freePort(), zmqPush: await freePort(), zmqSub: await freePort(), zmqCommand: await freePort() };
  const routesFile = join(dir, 'routes');
  writeFileSync(routesFile, buildPushpinRoutes(backendPort));
  const configFile = join(dir, 'pushpin.conf');
  writeFileSync(configFile, buildPushpinConfig({ dir, ports, routesFile }));

  const spawnedAt = performance.now();
  const child = track(spawn(pushpinBin, ['--config', configFile, '--merge-output'], { stdio: ['ignore', 'pipe', 'pipe'], detached: false }));
  let output = '';
  const keep = (chunk: Buffer): void => { output = (output + chunk.toString('utf8')).slice(-4000); };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const wsUrl = `ws://127.0.0.1:${ports.http}/ws`;
  const stop = async (): Promise<void> => {
    // The runner stops its services on SIGTERM; the dir holds their sockets and logs.
    await stopChild(child, 10_000);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitForWebSocket(wsUrl, 20_000);
  } catch (error) {
    await stop();
    throw new Error(`pushpin did not accept a WebSocket connection: ${output}`, { cause: error });
  }
  const startupMs = performance.now() - spawnedAt;
  const publishUrl = `http://127.0.0.1:${ports.publish}/publish/`;
  return {
    child,
    pid: child.pid!,
    wsUrl,
    startupMs,
    async publish(channel, content) {
      const response = await fetch(publishUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: buildPublishBody(channel, content), signal: AbortSignal.timeout(30_000) });
      const text = await response.text();
      if (response.status !== 200) throw new Error(`pushpin publish answered ${response.status}: ${text}`);
    },
    output: () => output,
    stop,
  };
}
