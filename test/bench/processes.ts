// Child processes of the gateway benchmark: fork/track/stop them, talk to them over IPC, read their RSS and CPU. I/O.
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import WebSocket from 'ws';
import type { LoadCommand } from './load-clients.ts';
import { parentFromStat, treeOf } from './process-tree.ts';
import { deferredBuiltins } from '../../sidecar/scripts/deferred-builtins.ts';

const live = new Set<ChildProcess>();

/** Remembers a child so that it is killed when the benchmark ends, however it ends. */
export function track(child: ChildProcess): ChildProcess {
  live.add(child);
  child.once('exit', () => live.delete(child));
  return child;
}

/** SIGKILLs every child still alive (synchronous, safe in an `exit` handler). */
export function killAll(): void {
  for (const child of live) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  live.clear();
}

/** Sends SIGTERM, waits up to `timeoutMs`, then SIGKILLs. */
export async function stopChild(child: ChildProcess, timeoutMs = 15_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  try {
    await exited;
  } finally {
    clearTimeout(timer);
  }
}

/** Resident set size of a process, in KiB, from /proc/<pid>/status. */
export function readRssKiB(pid: number): number {
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!match) throw new Error(`no VmRSS in /proc/${pid}/status`);
  return Number(match[1]);
}

/** A process and all its descendants, read from /proc (Pushpin is a runner with four service processes). */
export function treePids(root: number): number[] {
  const parents = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      parents.set(Number(entry), parentFromStat(readFileSync(`/proc/${entry}/stat`, 'utf8')));
    } catch {
      // The process ended while we listed /proc: it is not part of anyone's tree any more.
    }
  }
  return treeOf(root, parents);
}

/** RSS of a process and all its descendants, in KiB. */
export function readTreeRssKiB(root: number): number {
  return treePids(root).reduce((sum, pid) => {
    try {
      return sum + readRssKiB(pid);
    } catch {
      return sum;
    }
  }, 0);
}

/** A TCP port that was free on loopback a moment ago. */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  await once(server, 'close');
  if (typeof address !== 'object' || !address) throw new Error('could not pick a free port');
  return address.port;
}

/** Tries a WebSocket connection every 10 ms until one opens; resolves when it did (the "first accepted connection"). */
export async function waitForWebSocket(url: string, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  let lastError = '';
  while (performance.now() < deadline) {
    const opened = await new Promise<boolean>((resolve) => {
      const socket = new WebSocket(url, { perMessageDeflate: false, handshakeTimeout: 2000 });
      socket.once('open', () => { socket.terminate(); resolve(true); });
      socket.once('error', (error) => { lastError = error.message; socket.terminate(); resolve(false); });
    });
    if (opened) return;
    await sleep(10);
  }
  throw new Error(`no WebSocket connection to ${url} within ${timeoutMs} ms: ${lastError}`);
}

/** Busy CPU time of the whole machine (all cores, everything but idle and iowait), in ms, from /proc/stat. */
export function readMachineBusyMs(): number {
  const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!;
  const [user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number);
  return ((user ?? 0) + (nice ?? 0) + (system ?? 0) + (irq ?? 0) + (softirq ?? 0) + (steal ?? 0)) * 10;
}

/** User + system CPU time of a process, in ms, from /proc/<pid>/stat (assumes 100 clock ticks per second). */
export function readCpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

export interface LoadClients {
  readonly child: ChildProcess;
  request<T>(command: LoadCommand, timeoutMs?: number): Promise<T>;
  stop(): Promise<void>;
}

/** Forks test/bench/load-clients.ts and returns a typed request/answer channel to it. */
export async function forkLoadClients(): Promise<LoadClients> {
  const child = track(fork(fileURLToPath(new URL('./load-clients.ts', import.meta.url)), [], { execArgv: [], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }));
  await once(child, 'spawn');
  let nextId = 1;
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  child.on('message', (answer: { id: number; ok: boolean; result?: unknown; error?: string }) => {
    const waiter = pending.get(answer.id);
    pending.delete(answer.id);
    if (answer.ok) waiter?.resolve(answer.result);
    else waiter?.reject(new Error(`load clients: ${answer.error}`));
  });
  child.once('exit', (code, signal) => {
    for (const waiter of pending.values()) waiter.reject(new Error(`load clients exited (${code ?? signal})`));
    pending.clear();
  });
  return {
    child,
    request<T>(command: LoadCommand, timeoutMs = 120_000): Promise<T> {
      const id = nextId++;
      return new Promise<T>((resolve, reject) => {
        const timer = setTimeout(() => {
          pending.delete(id);
          reject(new Error(`load clients: no answer to ${command.cmd} within ${timeoutMs} ms`));
        }, timeoutMs);
        pending.set(id, {
          resolve: (v) => { clearTimeout(timer); resolve(v as T); },
          reject: (e) => { clearTimeout(timer); reject(e); },
        });
        child.send({ ...command, id });
      });
    },
    stop: () => stopChild(child, 5000),
  };
}

export interface BaselineServer {
  readonly child: ChildProcess;
  readonly pid: number;
  readonly port: number;
  readonly baseUrl: string;
  readonly wsUrl: string;
  /** From fork to the first accepted WebSocket connection. */
  readonly startupMs: number;
  /** Everything written to stderr so far (with `inspect`, it starts with the inspector's URL). */
  stderr(): string;
  stop(): Promise<void>;
}

/**
 * baseline-ws-server.ts built exactly as the gateway's image build is (sidecar/scripts/bundle.ts: one CommonJS file
 * with `ws` inside, https and tls deferred), written to dist/bench/: run as .ts, Node would load its type-stripping transformer (~20 MiB),
 * and as an ES module its `node:http` import would load undici (~10 MiB); the gateway carries neither.
 */
async function compiledBaseline(): Promise<string> {
  const out = fileURLToPath(new URL('../../dist/bench/baseline-ws-server.cjs', import.meta.url));
  await build({
    entryPoints: [fileURLToPath(new URL('./baseline-ws-server.ts', import.meta.url))],
    outfile: out,
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node24',
    // As in the gateway's bundle: ws's client side loads https and tls only if it is used.
    plugins: [deferredBuiltins(['https', 'tls'])],
    logLevel: 'warning',
  });
  return out;
}

/** Forks test/bench/baseline-ws-server.ts (as JavaScript); `forwardUrl` makes it forward inbound messages to the app, `echo` echo them. */
export async function forkBaseline(options: { forwardUrl?: string; inspect?: boolean; echo?: boolean } = {}): Promise<BaselineServer> {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH ?? '', BASELINE_HOST: '127.0.0.1' };
  if (options.forwardUrl) env.BASELINE_FORWARD_URL = options.forwardUrl;
  if (options.echo) env.BASELINE_ECHO = '1';
  const forkedAt = performance.now();
  const execArgv = options.inspect ? ['--inspect=127.0.0.1:0'] : [];
  const child = track(fork(await compiledBaseline(), [], { env, execArgv, stdio: ['ignore', 'inherit', 'pipe', 'ipc'] }));
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk; });
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('baseline server did not report its port within 10 s')), 10_000);
    child.once('message', (m: { type: string; port: number }) => { clearTimeout(timer); resolve(m.port); });
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`baseline server exited (${code}) before listening`)); });
  });
  const wsUrl = `ws://127.0.0.1:${port}/ws`;
  await waitForWebSocket(wsUrl, 10_000);
  const startupMs = performance.now() - forkedAt;
  return {
    child,
    pid: child.pid!,
    port,
    baseUrl: `http://127.0.0.1:${port}`,
    wsUrl,
    startupMs,
    stderr: () => stderr,
    stop: () => stopChild(child, 5000),
  };
}
