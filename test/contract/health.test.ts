// A5: /healthz, /readyz, /stats (fields, counts, pod, configHash stability, version, startedAt) and /metrics
// (every documented metric name present; counts move with traffic).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import { startStack, stopGatewayHard, CALLBACK_PATH, FAST_ENV } from '../support/stack.ts';
import { startGateway } from '../support/gateway-process.ts';
import { controlPost } from '../support/control-api.ts';
import { upgradeStatus } from '../support/ws-client.ts';
import { getJson } from '../support/http.ts';
import { scrapeMetrics } from '../support/metrics.ts';
import { RFC3339, waitUntil } from '../support/wait.ts';

interface Stats {
  connections: number;
  users: number;
  publicConnections: number;
  anonymousConnections: number;
  pod: string;
  configHash: string;
  version: string;
  startedAt: string;
}

const METRIC_NAMES = [
  'ws_gateway_connections',
  'ws_gateway_users',
  'ws_gateway_messages_in_total',
  'ws_gateway_messages_out_total',
  'ws_gateway_bytes_in_total',
  'ws_gateway_bytes_out_total',
  'ws_gateway_callback_duration_seconds',
  'ws_gateway_callback_failures_total',
  'ws_gateway_closes_total',
  'ws_gateway_slow_consumers_total',
  'ws_gateway_paused_sockets',
  'ws_gateway_upgrades_rejected_total',
];

async function stats(baseUrl: string): Promise<Stats> {
  const { status, body } = await getJson<Stats>(`${baseUrl}/stats`);
  assert.equal(status, 200);
  return body;
}

test('/healthz and /readyz answer 200 while running', async (t) => {
  const { gw } = await startStack(t);
  assert.equal((await fetch(`${gw.baseUrl}/healthz`)).status, 200);
  assert.equal((await fetch(`${gw.baseUrl}/readyz`)).status, 200);
});

test('/stats reports connections, distinct users, public and anonymous counts, pod, version, startedAt', async (t) => {
  const started = Date.now() - 1000;
  const stack = await startStack(t, { env: { POD_NAME: 'chat-7c9-abcde', POD_NAMESPACE: 'apps' } });
  const empty = await stats(stack.gw.baseUrl);
  assert.deepEqual(
    { connections: empty.connections, users: empty.users, publicConnections: empty.publicConnections, anonymousConnections: empty.anonymousConnections },
    { connections: 0, users: 0, publicConnections: 0, anonymousConnections: 0 },
  );
  assert.equal(empty.pod, 'chat-7c9-abcde');
  assert.equal(typeof empty.version, 'string');
  assert.ok(empty.version.length > 0);
  assert.equal(typeof empty.configHash, 'string');
  assert.ok(empty.configHash.length >= 8);
  assert.match(empty.startedAt, RFC3339);
  const startedAt = Date.parse(empty.startedAt);
  assert.ok(startedAt >= started && startedAt <= Date.now(), `startedAt ${empty.startedAt} is when this process started`);

  const clients = [
    await stack.connect({ user: 'alice', cookie: 'auth_token=a1' }),
    await stack.connect({ user: 'alice' }),
    await stack.connect({ user: 'bob', cookie: 'auth_token=b1' }),
    await stack.connect(),
    await stack.connect({ cookie: 'auth_token=anon-with-cookie' }),
  ];
  const full = await stats(stack.gw.baseUrl);
  assert.deepEqual(
    { connections: full.connections, users: full.users, publicConnections: full.publicConnections, anonymousConnections: full.anonymousConnections },
    { connections: 5, users: 2, publicConnections: 2, anonymousConnections: 2 },
  );
  assert.equal(full.startedAt, empty.startedAt);
  assert.equal(full.configHash, empty.configHash);

  for (const c of clients) c.socket.close();
  await waitUntil(async () => (await stats(stack.gw.baseUrl)).connections === 0, { what: 'connections back to 0' });
  const after = await stats(stack.gw.baseUrl);
  assert.equal(after.users, 0);
  assert.equal(after.anonymousConnections, 0);
  assert.equal(after.publicConnections, 0);
});

async function configHashOf(t: TestContext, env: Record<string, string>): Promise<string> {
  // No client connects, so the app need not exist; a fixed WS_PORT keeps the configurations identical.
  const gw = await startGateway({ env: { ...FAST_ENV, WS_PORT: '8888', WS_URL: CALLBACK_PATH, ...env } });
  t.after(() => stopGatewayHard(gw));
  return (await stats(gw.baseUrl)).configHash;
}

test('configHash is stable for the same configuration and differs for another one', async (t) => {
  const env = { WS_PING_TIMEOUT_MS: '30000', WS_MAX_CONNECTIONS: '100' };
  const [a, b, c] = await Promise.all([
    configHashOf(t, env),
    configHashOf(t, env),
    configHashOf(t, { ...env, WS_PING_TIMEOUT_MS: '45000' }),
  ]);
  assert.equal(a, b, 'two processes with the same configuration report the same hash');
  assert.notEqual(a, c, 'another WS_PING_TIMEOUT_MS gives another hash');
});

test('/metrics exposes every documented metric and the counts follow the traffic', async (t) => {
  const stack = await startStack(t, { env: { WS_ALLOWED_ORIGINS: 'https://app.example' } });
  const m0 = await scrapeMetrics(stack.gw.baseUrl);
  const contentType = (await fetch(`${stack.gw.baseUrl}/metrics`)).headers.get('content-type') ?? '';
  assert.match(contentType, /^text\/plain/);
  for (const name of METRIC_NAMES) assert.ok(m0.has(name), `/metrics has ${name}`);

  const alice = await stack.connect({ user: 'alice' });
  const bob = await stack.connect({ user: 'bob' });
  alice.send('{"n":1}');
  alice.send('hello');
  bob.send(Buffer.from([1, 2, 3]));
  await stack.app.waitForCount((c) => c.body.action === 'message', 3);
  await controlPost(stack.gw.baseUrl, 'send', { users: ['alice', 'bob'], payload: { to: 'all' } });
  await alice.waitForMessages(1);
  await bob.waitForMessages(1);
  assert.equal(await upgradeStatus(stack.gw.wsUrl, { headers: { Origin: 'https://evil.example' } }), 403);

  const m1 = await scrapeMetrics(stack.gw.baseUrl);
  assert.equal(m1.value('ws_gateway_connections'), 2);
  assert.equal(m1.value('ws_gateway_users'), 2);
  assert.equal(m1.value('ws_gateway_messages_in_total') - m0.value('ws_gateway_messages_in_total'), 3);
  assert.equal(m1.value('ws_gateway_messages_out_total') - m0.value('ws_gateway_messages_out_total'), 2);
  assert.ok(m1.value('ws_gateway_bytes_in_total') - m0.value('ws_gateway_bytes_in_total') >= 7 + 5 + 3);
  assert.ok(m1.value('ws_gateway_bytes_out_total') - m0.value('ws_gateway_bytes_out_total') >= 2 * '{"to":"all"}'.length);
  assert.ok(m1.value('ws_gateway_callback_duration_seconds_count', { action: 'open' }) >= 2);
  assert.ok(m1.value('ws_gateway_callback_duration_seconds_count', { action: 'message' }) >= 3);
  assert.equal(m1.value('ws_gateway_upgrades_rejected_total', { status: '403' }) - m0.value('ws_gateway_upgrades_rejected_total', { status: '403' }), 1);

  await controlPost(stack.gw.baseUrl, 'close', { users: ['alice'] });
  await alice.closed;
  bob.socket.close(4000, 'bye');
  await bob.closed;
  await waitUntil(async () => (await scrapeMetrics(stack.gw.baseUrl)).value('ws_gateway_connections') === 0, { what: 'connections gauge back to 0' });
  const m2 = await scrapeMetrics(stack.gw.baseUrl);
  assert.equal(m2.value('ws_gateway_users'), 0);
  assert.equal(m2.value('ws_gateway_closes_total', { code: '1000' }) - m0.value('ws_gateway_closes_total', { code: '1000' }), 1);
  assert.equal(m2.value('ws_gateway_closes_total', { code: '4000' }) - m0.value('ws_gateway_closes_total', { code: '4000' }), 1);
});

test('/stats and /metrics carry no user data (names, tokens, cookies)', async (t) => {
  const stack = await startStack(t);
  const client = await stack.connect({ user: 'alice-private-name', cookie: 'auth_token=TOKEN-in-stats-check' });
  client.send('{"note":"MESSAGE-in-stats-check"}');
  await stack.app.waitFor((c) => c.body.action === 'message' && c.body.conn_id === client.connId);
  const texts = [await (await fetch(`${stack.gw.baseUrl}/stats`)).text(), (await scrapeMetrics(stack.gw.baseUrl)).text];
  for (const text of texts) {
    for (const secret of ['alice-private-name', 'TOKEN-in-stats-check', 'MESSAGE-in-stats-check', client.connId, client.tag]) {
      assert.ok(!text.includes(secret), `no ${secret} in ${text.slice(0, 80)}…`);
    }
  }
});
