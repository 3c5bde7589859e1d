// A11: upgrades on /ws and any path under /ws/; every callback carries path and query; list shows each connection's
// path (across replicas too); a plain GET on an endpoint gets the verdict an upgrade would (426 when accepted).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { controlList } from '../support/control-api.ts';
import { rawExchange, upgradeRequest } from '../support/raw-socket.ts';
import { startRedisServer } from '../support/redis-server.ts';
import { startReplicas, waitForReplicas } from '../support/replicas.ts';
import { closeCallbackOf, startStack } from '../support/stack.ts';
import { upgradeStatus } from '../support/ws-client.ts';

interface ListedUser {
  name: string;
  conns: { id: string; path: string; pod?: string }[];
  public_conns: { id: string; path: string; pod?: string }[];
}

/** Every listed connection id with its path (and pod). */
function pathsOf(list: unknown): Map<string, { path: string; pod?: string }> {
  const paths = new Map<string, { path: string; pod?: string }>();
  for (const user of list as ListedUser[]) for (const c of [...user.conns, ...user.public_conns]) paths.set(c.id, { path: c.path, ...(c.pod ? { pod: c.pod } : {}) });
  return paths;
}

/** A plain GET (no upgrade) on `target`, written as is (no client-side URL normalisation). */
async function plainGet(port: number, target: string, headers: Record<string, string> = {}): Promise<{ status: number; body: { code?: number; message?: string }; headers: Record<string, string> }> {
  const lines = Object.entries({ Host: 'gateway.test', Connection: 'close', ...headers }).map(([k, v]) => `${k}: ${v}`);
  const answer = await rawExchange(port, `GET ${target} HTTP/1.1\r\n${lines.join('\r\n')}\r\n\r\n`);
  answer.socket.destroy();
  return { status: answer.status, body: JSON.parse(answer.body) as { code?: number; message?: string }, headers: answer.headers };
}

/** An upgrade on `target`, written as is. */
async function upgradeOn(port: number, target: string): Promise<{ status: number; body: string }> {
  const answer = await rawExchange(port, upgradeRequest({}, `GET ${target} HTTP/1.1`));
  answer.socket.destroy();
  return { status: answer.status, body: answer.body };
}

test('open, message and close callbacks carry path and query; /ws has path "/ws" and query ""', async (t) => {
  const stack = await startStack(t);
  const cases = [
    { path: '/ws', expected: { path: '/ws', query: '' } },
    { path: '/ws?', expected: { path: '/ws', query: '' } },
    { path: '/ws/chat?room=42&lang=en', expected: { path: '/ws/chat', query: 'room=42&lang=en' } },
    { path: '/ws/doc/17', expected: { path: '/ws/doc/17', query: '' } },
    { path: '/ws/doc/17?v=%C3%A9&x', expected: { path: '/ws/doc/17', query: 'v=%C3%A9&x' } },
  ];
  for (const { path, expected } of cases) {
    const client = await stack.connect({ user: 'alice', path });
    client.send('{"hi":1}');
    await stack.app.waitFor((c) => c.body.action === 'message' && c.body.conn_id === client.connId);
    client.socket.close(1000);
    await closeCallbackOf(stack.app, client.connId, { settleMs: 0 });
    const callbacks = stack.callbacksOf(client.connId);
    assert.deepEqual(callbacks.map((c) => c.body.action), ['open', 'message', 'close'], path);
    for (const c of callbacks) assert.deepEqual({ path: c.body.path, query: c.body.query }, expected, `${c.body.action} on ${path}`);
  }
});

test('list shows each connection\'s path', async (t) => {
  const stack = await startStack(t);
  const a = await stack.connect({ user: 'alice', path: '/ws' });
  const b = await stack.connect({ user: 'alice', path: '/ws/chat?room=1', cookie: 'auth_token=t' });
  const c = await stack.connect({ path: '/ws/doc/17' });
  const paths = pathsOf((await controlList(stack.gw.baseUrl)).body.data);
  assert.deepEqual(paths.get(a.connId), { path: '/ws' });
  assert.deepEqual(paths.get(b.connId), { path: '/ws/chat' }, 'without the query');
  assert.deepEqual(paths.get(c.connId), { path: '/ws/doc/17' });
});

test('with the Redis backplane, list shows the path of connections on other replicas', async (t) => {
  const redis = await startRedisServer();
  t.after(() => redis.stop());
  const replicas = await startReplicas(t, redis.url, ['pod-a', 'pod-b']);
  await waitForReplicas(replicas, 2);
  const onA = await replicas[0]!.connect({ user: 'alice', path: '/ws/chat' });
  const onB = await replicas[1]!.connect({ user: 'bob', path: '/ws/doc/17?x=1' });
  for (const replica of replicas) {
    const paths = pathsOf((await controlList(replica.gw.baseUrl)).body.data);
    assert.deepEqual(paths.get(onA.connId), { path: '/ws/chat', pod: 'pod-a' }, `list via ${replica.pod}`);
    assert.deepEqual(paths.get(onB.connId), { path: '/ws/doc/17', pod: 'pod-b' }, `list via ${replica.pod}`);
  }
});

test('paths: /ws and /ws/<segments> are endpoints; not under /ws is 404; malformed under /ws/ is 400 (upgrade and plain GET alike)', async (t) => {
  const stack = await startStack(t);
  const { port } = stack.gw;
  for (const target of ['/wsx', '//ws', '/ws2/chat', '/WS', '/x/ws']) {
    assert.equal((await upgradeOn(port, target)).status, 404, `upgrade ${target}`);
    assert.equal((await plainGet(port, target)).status, 404, `GET ${target}`);
  }
  for (const target of ['/ws/', '/ws//chat', '/ws/chat/', '/ws/../x', '/ws/./x', '/ws/%2e%2e/x', '/ws/a%zz', '/ws/a"b', '/ws/../tapr/ws/conn/list']) {
    const upgrade = await upgradeOn(port, target);
    assert.equal(upgrade.status, 400, `upgrade ${target}: ${upgrade.body}`);
    const get = await plainGet(port, target);
    assert.equal(get.status, 400, `GET ${target}`);
    assert.equal(get.body.code, 400);
    assert.match(String(get.body.message), /path/);
  }
  const long = await plainGet(port, `/ws/${'a'.repeat(1100)}`);
  assert.equal(long.status, 414);
  for (const target of ['/ws', '/ws/chat', '/ws/doc/17?x=1', '/ws/a.b~c']) assert.equal((await upgradeOn(port, target)).status, 101, `upgrade ${target}`);
});

test('a plain GET on an endpoint: 426 when an upgrade would be accepted, otherwise the refusal status and JSON body', async (t) => {
  const stack = await startStack(t, {
    env: { WS_REQUIRE_USER: 'true', WS_ALLOWED_ORIGINS: 'https://app.example', WS_MAX_CONNECTIONS: '2', WS_MAX_CONNECTIONS_PER_USER: '1' },
  });
  const { port } = stack.gw;
  const user = { 'X-Bfl-User': 'alice' };
  for (const target of ['/ws', '/ws/chat?room=1', '/ws/doc/17']) {
    const accepted = await plainGet(port, target, { ...user, Origin: 'https://app.example' });
    assert.equal(accepted.status, 426, target);
    assert.equal(accepted.headers.upgrade, 'websocket');
    assert.deepEqual(accepted.body, { code: 426, message: `${target.split('?')[0]} expects a WebSocket upgrade` });
  }
  const cases: [Record<string, string>, number, RegExp][] = [
    [{ ...user, Origin: 'https://evil.example' }, 403, /origin/],
    [{}, 401, /user/],
    [{ Origin: 'https://app.example' }, 401, /user/],
  ];
  for (const [headers, status, message] of cases) {
    const answer = await plainGet(port, '/ws/chat', headers);
    assert.equal(answer.status, status, JSON.stringify(headers));
    assert.equal(answer.body.code, status);
    assert.match(String(answer.body.message), message);
    // The upgrade gets the same status.
    assert.equal(await upgradeStatus(`${stack.gw.wsUrl}/chat`, { headers }), status, `upgrade with ${JSON.stringify(headers)}`);
  }
  await stack.connect({ user: 'alice', path: '/ws/chat' });
  assert.equal((await plainGet(port, '/ws/chat', user)).status, 429, 'alice is at her per-user limit');
  await stack.connect({ user: 'bob', path: '/ws/doc/1' });
  const full = await plainGet(port, '/ws', { 'X-Bfl-User': 'carol' });
  assert.equal(full.status, 503, 'over WS_MAX_CONNECTIONS');
  assert.deepEqual(full.body, { code: 503, message: 'connection limit reached' });
  assert.equal(await upgradeStatus(stack.gw.wsUrl, { headers: { 'X-Bfl-User': 'carol' } }), 503);
});

test('a plain GET while draining gets 503', async (t) => {
  const stack = await startStack(t, { env: { WS_SHUTDOWN_TIMEOUT_MS: '5000' } });
  await stack.connect({ user: 'alice', path: '/ws/chat' });
  // A slow close callback keeps the gateway draining long enough to ask.
  stack.app.respondWith((c) => (c.body.action === 'close' ? { delayMs: 1500 } : undefined));
  const exited = once(stack.gw.child, 'exit');
  stack.gw.child.kill('SIGTERM');
  await stack.app.waitFor((c) => c.body.action === 'close');
  const answer = await plainGet(stack.gw.port, '/ws/chat');
  assert.equal(answer.status, 503);
  assert.deepEqual(answer.body, { code: 503, message: 'gateway is shutting down' });
  await exited;
});
