// A1: environment validation — every bad value exits 2 with one stderr line naming it; unknown WS_* is warned about.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { runGatewayToExit } from '../support/gateway-process.ts';
import { startStack } from '../support/stack.ts';

const VALID: Record<string, string> = { WS_PORT: '8888', WS_URL: '/ws/message', WS_GATEWAY_HOST: '127.0.0.1', WS_GATEWAY_PORT: '0' };

interface BadCase {
  variable: string;
  /** undefined = the variable is left out. */
  value: string | undefined;
}

const BAD: BadCase[] = [
  { variable: 'WS_PORT', value: undefined },
  { variable: 'WS_PORT', value: 'abc' },
  { variable: 'WS_PORT', value: '0' },
  { variable: 'WS_PORT', value: '70000' },
  { variable: 'WS_PORT', value: '-5' },
  { variable: 'WS_PORT', value: '80.5' },
  { variable: 'WS_URL', value: undefined },
  { variable: 'WS_URL', value: 'ws/message' },
  { variable: 'WS_GATEWAY_PORT', value: '70000' },
  { variable: 'WS_OPEN_MODE', value: 'foo' },
  { variable: 'WS_REQUIRE_USER', value: 'maybe' },
  { variable: 'WS_LOG_LEVEL', value: 'loud' },
  { variable: 'WS_PING_TIMEOUT_MS', value: '-1' },
  { variable: 'WS_SERVER_PING_MS', value: 'soon' },
  { variable: 'WS_CALLBACK_TIMEOUT_MS', value: '-100' },
  { variable: 'WS_CALLBACK_RETRY_MS', value: '-1' },
  { variable: 'WS_SHUTDOWN_TIMEOUT_MS', value: '-1' },
  { variable: 'WS_MAX_PAYLOAD_BYTES', value: 'big' },
  { variable: 'WS_MAX_BUFFERED_BYTES', value: '-4' },
  { variable: 'WS_MAX_CONNECTIONS', value: '-1' },
  { variable: 'WS_MAX_CONNECTIONS_PER_USER', value: 'ten' },
  { variable: 'WS_CALLBACK_CONCURRENCY', value: 'x' },
  { variable: 'WS_CALLBACK_QUEUE', value: '-3' },
];

describe('a bad value exits 2 with one stderr line naming it', { concurrency: 4 }, () => {
  for (const bad of BAD) {
    test(`${bad.variable}=${bad.value ?? '(missing)'} exits 2 with one stderr line naming it`, async () => {
      const env = { ...VALID };
      if (bad.value === undefined) delete env[bad.variable];
      else env[bad.variable] = bad.value;
      const result = await runGatewayToExit(env);
      assert.equal(result.code, 2, `exit code; stderr: ${result.stderr}`);
      const lines = result.stderr.trim().split('\n');
      assert.equal(lines.length, 1, `exactly one stderr line, got: ${JSON.stringify(result.stderr)}`);
      assert.ok(lines[0]!.includes(bad.variable), `stderr names ${bad.variable}: ${lines[0]}`);
      if (bad.value !== undefined) assert.ok(lines[0]!.includes(bad.value), `stderr names the value ${bad.value}: ${lines[0]}`);
      assert.ok(!result.stdout.includes('"listening"'), 'the gateway never started listening');
    });
  }
});

// F6: RFC 3986 allows none of these in a request path (HTTP clients refuse most), so such a value used to fail every
// callback at run time.
const BAD_PATHS: { variable: string; value: string; shown: string }[] = [
  { variable: 'WS_URL', value: '/cb/чат', shown: '"/cb/\\u0447\\u0430\\u0442"' },
  { variable: 'WS_URL', value: '/cb\u200b', shown: '"/cb\\u200b"' },
  { variable: 'WS_URL', value: '/cb\u0007bell', shown: '"/cb\\u0007bell"' },
  { variable: 'WS_URL', value: '/cb%zz', shown: '"/cb%zz"' },
  { variable: 'WS_URL', value: '/cb/a b', shown: '"/cb/a b"' },
  { variable: 'WS_APP_HOST', value: 'app\u00e9.local', shown: '"app\\u00e9.local"' },
  { variable: 'WS_APP_HOST', value: 'app host', shown: '"app host"' },
];

describe('a callback path or host an HTTP client would refuse exits 2, naming the variable, the escaped value and what is allowed', { concurrency: 4 }, () => {
  for (const bad of BAD_PATHS) {
    test(`${bad.variable}=${bad.shown}`, async () => {
      const result = await runGatewayToExit({ ...VALID, [bad.variable]: bad.value });
      assert.equal(result.code, 2, `exit code; stderr: ${result.stderr}`);
      const lines = result.stderr.trim().split('\n');
      assert.equal(lines.length, 1, `exactly one stderr line, got: ${JSON.stringify(result.stderr)}`);
      assert.ok(lines[0]!.startsWith(`ws-gateway: invalid configuration: ${bad.variable}=${bad.shown} is invalid: expected `), lines[0]);
      assert.match(lines[0]!, bad.variable === 'WS_URL' ? /printable ASCII \(0x21-0x7E.*%XX/ : /host name or an IPv4\/IPv6 address/);
      assert.ok(/^[\x20-\x7e]+$/.test(lines[0]!), `the line is printable ASCII: ${JSON.stringify(lines[0])}`);
      assert.ok(!result.stdout.includes('"listening"'), 'the gateway never started listening');
    });
  }
  test('percent-encoding and every other printable character are still accepted', async (t) => {
    const stack = await startStack(t, { env: { WS_URL: "/cb/%D1%87a-t_~.!$&'()*+,;=:@?q=1" } });
    assert.equal((await fetch(`${stack.gw.baseUrl}/healthz`)).status, 200);
  });
});

test('an unknown WS_* variable is warned about and the gateway still starts', async (t) => {
  const stack = await startStack(t, { env: { WS_FOO: 'bar', WS_LOG_LEVEL: 'info' } });
  const health = await fetch(`${stack.gw.baseUrl}/healthz`);
  assert.equal(health.status, 200);
  const warning = stack.gw.logs.find((entry) => entry.level === 'warn' && JSON.stringify(entry).includes('WS_FOO'));
  assert.ok(warning, `a warn log line mentions WS_FOO; logs: ${JSON.stringify(stack.gw.logs)}`);
});

test('valid non-default values are accepted', async (t) => {
  const stack = await startStack(t, {
    env: { WS_OPEN_MODE: 'authorize', WS_REQUIRE_USER: 'true', WS_PING_TIMEOUT_MS: '0', WS_SERVER_PING_MS: '0', WS_ALLOWED_ORIGINS: 'https://a.example,https://b.example' },
  });
  assert.equal((await fetch(`${stack.gw.baseUrl}/healthz`)).status, 200);
});
