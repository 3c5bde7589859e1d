// Starts a throwaway redis-server on a free port of loopback (and, for pods, the pod network's host address), with no
// persistence; stops it, restarts it on the same port. I/O.
import { spawn, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import { once } from 'node:events';
import { reserveFreePort } from './wait.ts';

export interface RedisServer {
  readonly port: number;
  /** `redis://<first host>:<port>`: 127.0.0.1, or the host given (pods reach the host at its pod-network address). */
  readonly url: string;
  /** Stops it (SIGTERM, then SIGKILL after 5 s); the port stays reserved for `restart`. */
  stop(): Promise<void>;
  /** Starts it again on the same port, empty (as a Redis that lost its data). */
  restart(): Promise<void>;
  /** SIGKILL at once, for synchronous exit handlers. */
  kill(): void;
  /** SIGSTOP: the process keeps its sockets (the kernel still accepts connections and bytes) but answers nothing. */
  freeze(): void;
  /** SIGCONT after `freeze`. */
  thaw(): void;
}

/**
 * Spawns `redis-server` (it must be on PATH) and resolves once it accepts connections. `host`: an address of this
 * machine to listen on besides 127.0.0.1 (a cluster's `network.hostIp`, so pods can reach it); `url` names it.
 */
export async function startRedisServer(options: { host?: string } = {}): Promise<RedisServer> {
  const port = await reserveFreePort();
  const binds = options.host === undefined ? ['127.0.0.1'] : [options.host, '127.0.0.1'];
  let child = await spawnRedis(port, binds);
  return {
    port,
    url: `redis://${binds[0]}:${port}`,
    async stop() {
      // A frozen process would only act on SIGTERM once continued.
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGCONT');
      await stopChild(child);
    },
    async restart() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGCONT');
      await stopChild(child);
      child = await spawnRedis(port, binds);
    },
    kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
    freeze() {
      child.kill('SIGSTOP');
    },
    thaw() {
      child.kill('SIGCONT');
    },
  };
}

async function spawnRedis(port: number, binds: readonly string[]): Promise<ChildProcess> {
  // Protected mode refuses every non-loopback client without a password: off only when we bind the pod bridge's address.
  const protectedMode = binds.every((bind) => bind.startsWith('127.')) ? 'yes' : 'no';
  const child = spawn('redis-server', ['--port', String(port), '--bind', binds.join(' '), '--protected-mode', protectedMode, '--save', '', '--appendonly', 'no', '--loglevel', 'warning'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const collect = (chunk: Buffer) => { output += chunk.toString('utf8'); };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  let spawnError: Error | undefined;
  child.on('error', (error) => { spawnError = error; });
  const deadline = Date.now() + 10000;
  for (;;) {
    if (spawnError) throw new Error(`redis-server could not start (is it installed?): ${spawnError.message}`);
    if (child.exitCode !== null) throw new Error(`redis-server exited (${child.exitCode}): ${output}`);
    if (await answersPing(port)) return child;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`redis-server did not answer PING on port ${port} within 10 s: ${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  try {
    await exited;
  } finally {
    clearTimeout(timer);
  }
}

/** Sends an inline PING and expects +PONG. */
async function answersPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const done = (ok: boolean) => { socket.destroy(); resolve(ok); };
    socket.setTimeout(500, () => done(false));
    socket.on('error', () => done(false));
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (data: Buffer) => done(data.toString('utf8').startsWith('+PONG')));
  });
}
