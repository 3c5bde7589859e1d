// `npm run demo -- --no-cluster`: the gateway (child process), the chat app and the dev proxy on loopback, without
// Kubernetes; one "demo ready" line, and a clean stop on Ctrl-C/SIGTERM. I/O.
//
//   npm run demo -- --no-cluster [--port 8080] [--gateway-port 40010] [--app-port 8888] [--verbose]
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type AddressInfo } from 'node:net';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startChatApp, type ChatApp } from './app.ts';
import { startDevProxy, type DevProxy } from './dev-proxy.ts';
import { stopOnSignals } from './stop-signals.ts';

const HOST = '127.0.0.1';
const CALLBACK_PATH = '/ws/message';
const gatewayMain = fileURLToPath(new URL('../../sidecar/src/main.ts', import.meta.url));

function fail(message: string): never {
  console.error(`demo: ${message}`);
  process.exit(2);
}

function readPort(value: string, flag: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`${flag}: expected a port 0-65535 (0 = any free port), got ${JSON.stringify(value)}`);
  return port;
}

/** A port free right now (the app must be named to the gateway before it listens). */
async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, HOST);
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  server.close();
  await once(server, 'close');
  return port;
}

interface Gateway {
  child: ChildProcess;
  port: number;
  exited: Promise<[number | null, NodeJS.Signals | null]>;
}

/** Starts sidecar/src/main.ts configured only by env, as the operator would; resolves on its `listening` log. */
async function startGateway(appPort: number, gatewayPort: number, verbose: boolean): Promise<Gateway> {
  const env = {
    PATH: process.env.PATH ?? '',
    WS_PORT: String(appPort),
    WS_URL: CALLBACK_PATH,
    WS_APP_HOST: HOST,
    WS_GATEWAY_HOST: HOST,
    WS_GATEWAY_PORT: String(gatewayPort),
  };
  const child = spawn(process.execPath, [gatewayMain], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
    if (verbose) process.stderr.write(chunk);
  });
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`gateway did not start within 30 s; stderr: ${stderr}`));
    }, 30_000);
    createInterface({ input: child.stdout }).on('line', (line) => {
      let entry: { msg?: unknown; port?: unknown; level?: unknown } = {};
      try {
        entry = JSON.parse(line) as typeof entry;
      } catch {
        // not a JSON log line: shown below like any other
      }
      // The gateway logs JSON lines; only its warnings and errors reach the terminal unless --verbose.
      if (verbose || entry.level === 'warn' || entry.level === 'error' || entry.level === 'fatal') console.log(`gateway: ${line}`);
      if (entry.msg === 'listening' && typeof entry.port === 'number') {
        clearTimeout(timer);
        resolve(entry.port);
      }
    });
    void exited.then(([code, signal]) => {
      clearTimeout(timer);
      reject(new Error(`gateway exited (${code ?? signal}) before listening: ${stderr.trim()}`));
    });
  });
  return { child, port, exited };
}

export async function runLocalDemo(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      // The same page address as the cluster demo and the Quick start; --port 0 picks a free one.
      port: { type: 'string', default: '8080' },
      'gateway-port': { type: 'string', default: '0' },
      'app-port': { type: 'string', default: '0' },
      verbose: { type: 'boolean', default: false },
    },
  });
  const verbose = values.verbose;
  const proxyPort = readPort(values.port, '--port');
  const gatewayPort = readPort(values['gateway-port'], '--gateway-port');
  const appPort = readPort(values['app-port'], '--app-port') || (await freePort());

  let gateway: Gateway | undefined;
  let app: ChatApp | undefined;
  let proxy: DevProxy | undefined;
  let stopping = false;

  async function stop(exitCode: number): Promise<never> {
    stopping = true;
    if (gateway && gateway.child.exitCode === null && gateway.child.signalCode === null) {
      // The gateway drains first (1001 to every browser, a close callback per connection), so the app stays up meanwhile.
      gateway.child.kill('SIGTERM');
      const force = setTimeout(() => gateway?.child.kill('SIGKILL'), 15_000);
      await gateway.exited;
      clearTimeout(force);
    }
    await Promise.allSettled([proxy?.close(), app?.close()]);
    process.exit(exitCode);
  }

  stopOnSignals(() => stopping, stop);
  process.on('exit', () => {
    if (gateway && gateway.child.exitCode === null) gateway.child.kill('SIGKILL');
  });

  try {
    gateway = await startGateway(appPort, gatewayPort, verbose);
    void gateway.exited.then(([code, signal]) => {
      if (stopping) return;
      console.error(`demo: the gateway exited unexpectedly (${code ?? signal}); stopping`);
      void stop(1);
    });
    const gatewayUrl = `http://${HOST}:${gateway.port}`;
    const log = (line: string) => { if (verbose) console.log(line); };
    app = await startChatApp({ port: appPort, host: HOST, callbackPath: CALLBACK_PATH, gatewayUrl, log, warn: (line) => console.log(line) });
    const address = { host: HOST, port: gateway.port };
    proxy = await startDevProxy({ port: proxyPort, host: HOST, pickGateway: () => address, log: (line) => console.log(line) }).catch((error: unknown) => {
      throw new Error(`the login proxy cannot listen on ${HOST}:${proxyPort} (${(error as Error).message}); pick another port with --port`);
    });
  } catch (err) {
    console.error(`demo: could not start: ${(err as Error).message}`);
    await stop(1);
    return;
  }
  if (stopping) return;
  // 127.0.0.1 and localhost keep separate cookies, so the two tabs can be two users.
  const alias = proxy.url.replace(HOST, 'localhost');
  console.log(`demo ready: open ${proxy.url} and ${alias} in two browser tabs, log in as two names (Ctrl-C stops)`);
  if (verbose) console.log(`demo: gateway http://${HOST}:${gateway.port}, app callbacks http://${HOST}:${app.port}${CALLBACK_PATH}`);
}
