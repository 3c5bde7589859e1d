// The gateway's start-up failures (docs/exit-codes.md): --help (0), every bad variable at once (2), the listen address in
// use (3), an address that is not this machine's or does not resolve (4); each one stderr line per cause, no stack trace.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { listSettings } from '../../sidecar/src/config.ts';
import { ExitCode } from '../../sidecar/src/exit-codes.ts';

const gatewayMain = fileURLToPath(new URL('../../sidecar/src/main.ts', import.meta.url));
const VALID: Record<string, string> = { WS_PORT: '8888', WS_URL: '/ws/message', WS_GATEWAY_HOST: '127.0.0.1', WS_GATEWAY_PORT: '0' };

async function run(env: Record<string, string>, args: string[] = []): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [gatewayMain, ...args], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => { stdout += chunk; });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk; });
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  try {
    const [code] = (await once(child, 'exit')) as [number | null];
    return { code, stdout, stderr };
  } finally {
    clearTimeout(timer);
  }
}

function assertOneLine(stderr: string, pattern: RegExp): void {
  const lines = stderr.trim().split('\n');
  assert.equal(lines.length, 1, `one stderr line, got: ${JSON.stringify(stderr)}`);
  assert.match(lines[0]!, pattern);
  assert.doesNotMatch(stderr, /\n\s+at /, 'no stack trace');
}

describe('gateway start-up failures', { concurrency: 4 }, () => {
  test('--help lists every variable of the schema with its default and meaning, exit 0, nothing on stderr', async () => {
    const result = await run({}, ['--help']);
    assert.equal(result.code, ExitCode.Ok, result.stderr);
    assert.equal(result.stderr, '');
    for (const setting of listSettings()) {
      const row = result.stdout.split('\n').find((line) => line.trimStart().startsWith(`${setting.name} `));
      assert.ok(row, `a row for ${setting.name}`);
      assert.ok(setting.description.length > 0, `${setting.name} has a description in the schema`);
      assert.ok(row.includes(setting.description), `${setting.name}: ${row}`);
      assert.ok(row.includes(setting.defaultText === undefined ? 'required' : setting.defaultText || '(empty)'), `${setting.name} default: ${row}`);
    }
    assert.match(result.stdout, /WS_PING_TIMEOUT_MS +60000 /);
  });

  test('an argument other than --help exits 2 and points at --help', async () => {
    const result = await run(VALID, ['--port', '1']);
    assert.equal(result.code, ExitCode.BadConfiguration);
    assertOneLine(result.stderr, /^ws-gateway: unknown argument "--port": .*WS_\* environment variables \(--help lists them\)$/);
  });

  test('every bad variable is reported at once, one line each, exit 2', async () => {
    const result = await run({ ...VALID, WS_PORT: '0', WS_LOG_LEVEL: 'verbose', WS_URL: '', WS_MAX_CONNECTIONS: '-1' });
    assert.equal(result.code, ExitCode.BadConfiguration, result.stderr);
    assert.deepEqual(result.stderr.trim().split('\n'), [
      'ws-gateway: invalid configuration: WS_PORT="0" is invalid: expected an integer from 1 to 65535',
      'ws-gateway: invalid configuration: WS_URL="" is invalid: expected a path that starts with "/"',
      'ws-gateway: invalid configuration: WS_MAX_CONNECTIONS="-1" is invalid: expected an integer from 0 to 10000000',
      'ws-gateway: invalid configuration: WS_LOG_LEVEL="verbose" is invalid: expected debug, info, warn or error',
    ]);
    assert.doesNotMatch(result.stdout, /"listening"/);
  });

  test('the listen address in use exits 3 naming the address and WS_GATEWAY_PORT', async () => {
    const taken = createServer();
    taken.listen(0, '127.0.0.1');
    await once(taken, 'listening');
    const { port } = taken.address() as AddressInfo;
    try {
      const result = await run({ ...VALID, WS_GATEWAY_PORT: String(port) });
      assert.equal(result.code, ExitCode.AddressInUse, result.stderr);
      assertOneLine(result.stderr, new RegExp(`^ws-gateway: cannot listen on 127\\.0\\.0\\.1:${port}: another process already listens there \\(EADDRINUSE\\); .*WS_GATEWAY_PORT`));
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  });

  test('an address that is not this machine\'s (TEST-NET 192.0.2.1) exits 4 naming WS_GATEWAY_HOST', async () => {
    const result = await run({ ...VALID, WS_GATEWAY_HOST: '192.0.2.1' });
    assert.equal(result.code, ExitCode.AddressNotAvailable, result.stderr);
    assertOneLine(result.stderr, /^ws-gateway: cannot listen on 192\.0\.2\.1:0: 192\.0\.2\.1 is not an address of this machine \(EADDRNOTAVAIL\); set WS_GATEWAY_HOST/);
  });

  test('a host name that does not resolve exits 4 naming WS_GATEWAY_HOST', async () => {
    const result = await run({ ...VALID, WS_GATEWAY_HOST: 'no-such-host.invalid' });
    assert.equal(result.code, ExitCode.AddressNotAvailable, result.stderr);
    assertOneLine(result.stderr, /^ws-gateway: cannot listen on no-such-host\.invalid:0: WS_GATEWAY_HOST="no-such-host\.invalid" does not resolve \(E[A-Z_]+\); /);
  });
});
