// Starts the real gateway (sidecar/src/main.ts) as a child process on a free port and stops it. I/O.
// TEST_GATEWAY_MAIN runs another build instead, e.g. the image's bundle (npm run build, then
// TEST_GATEWAY_MAIN=dist/ws-gateway/ws-gateway.cjs npm run test:contract).
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const gatewayMain = process.env.TEST_GATEWAY_MAIN ? resolve(process.env.TEST_GATEWAY_MAIN) : fileURLToPath(new URL('../../sidecar/src/main.ts', import.meta.url));

export interface GatewayProcess {
  /** Port the gateway listens on (clients, control API, health, metrics). */
  readonly port: number;
  /** `http://127.0.0.1:<port>` */
  readonly baseUrl: string;
  /** `ws://127.0.0.1:<port>/ws` */
  readonly wsUrl: string;
  readonly child: ChildProcess;
  /** Every JSON log line the gateway printed so far (parsed). */
  readonly logs: Record<string, unknown>[];
  /** Everything written to stderr so far. */
  stderr(): string;
  /** Sends SIGTERM and resolves with the exit code (or signal name) once it exited. */
  stop(signal?: NodeJS.Signals): Promise<number | string>;
}

export interface StartGatewayOptions {
  /** WS_* variables; WS_GATEWAY_HOST/PORT default to 127.0.0.1 and a free port. */
  env: Record<string, string>;
  /** How long to wait for the "listening" log line. */
  startTimeoutMs?: number;
  /** Command prefix to run the gateway under, e.g. `['ip', 'netns', 'exec', ns]` (it must exec the node process). */
  wrapper?: string[];
  /** The gateway's entry file (default sidecar/src/main.ts or TEST_GATEWAY_MAIN; the image test runs the image's bundle). */
  entry?: string;
  /** Node flags before the entry file (the image test passes its ENTRYPOINT's). */
  nodeArgs?: readonly string[];
}

/** Spawns the gateway with WS_GATEWAY_PORT=0 (unless given) and waits for its `listening` log line. */
export async function startGateway(options: StartGatewayOptions): Promise<GatewayProcess> {
  const env = {
    PATH: process.env.PATH ?? '',
    WS_GATEWAY_HOST: '127.0.0.1',
    WS_GATEWAY_PORT: '0',
    WS_LOG_LEVEL: 'debug',
    ...options.env,
  };
  if (env.WS_GATEWAY_PORT === '0' && (env.WS_LOG_LEVEL === 'warn' || env.WS_LOG_LEVEL === 'error')) {
    throw new Error('startGateway learns the port from the info-level "listening" line: use WS_LOG_LEVEL debug or info, or a fixed WS_GATEWAY_PORT');
  }
  const [command, ...prefixArgs] = [...(options.wrapper ?? []), process.execPath];
  const child = spawn(command, [...prefixArgs, ...(options.nodeArgs ?? []), options.entry ?? gatewayMain], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const logs: Record<string, unknown>[] = [];
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => { stderr += chunk; });

  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => {
      // Nobody gets a handle to stop it, so it must not outlive this failure.
      child.kill('SIGKILL');
      reject(new Error(`gateway did not log "listening" within ${options.startTimeoutMs ?? 10000} ms; stderr: ${stderr}`));
    }, options.startTimeoutMs ?? 10000);
    const lines = createInterface({ input: child.stdout });
    lines.on('line', (line) => {
      let entry: Record<string, unknown>;
      try {
        entry = JSON.parse(line) as Record<string, unknown>;
      } catch {
        entry = { unparsed: line };
      }
      logs.push(entry);
      if (entry.msg === 'listening' && typeof entry.port === 'number') {
        clearTimeout(timer);
        resolve(entry.port);
      }
    });
    void exited.then(([code, signal]) => {
      clearTimeout(timer);
      reject(new Error(`gateway exited (${code ?? signal}) before listening; stderr: ${stderr}`));
    });
  });

  return {
    port,
    baseUrl: `http://127.0.0.1:${port}`,
    wsUrl: `ws://127.0.0.1:${port}/ws`,
    child,
    logs,
    stderr: () => stderr,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      const [code, sig] = await exited;
      return code ?? sig ?? 'unknown';
    },
  };
}

/** Runs the gateway with the given env expecting it to exit (e.g. a config error); returns code and output. */
export async function runGatewayToExit(env: Record<string, string>, timeoutMs = 10000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [gatewayMain], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => { stdout += c; });
  child.stderr.setEncoding('utf8').on('data', (c: string) => { stderr += c; });
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  try {
    const [code] = (await once(child, 'exit')) as [number | null];
    return { code, stdout, stderr };
  } finally {
    clearTimeout(timer);
  }
}
