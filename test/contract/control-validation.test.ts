// A4 input validation: malformed control API bodies get 400/413 with a message naming the field, wrong methods 405,
// unknown paths 404, and the gateway keeps serving afterwards.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startAppServer, type AppServer } from '../support/app-server.ts';
import { startGateway, type GatewayProcess } from '../support/gateway-process.ts';
import { connect } from '../support/ws-client.ts';
import { controlPost } from '../support/control-api.ts';
import { rawRequest } from '../support/http.ts';
import { CALLBACK_PATH, FAST_ENV, stopGatewayHard } from '../support/stack.ts';

let app: AppServer;
let gw: GatewayProcess;

before(async () => {
  app = await startAppServer();
  gw = await startGateway({ env: { ...FAST_ENV, WS_PORT: String(app.port), WS_URL: CALLBACK_PATH } });
});

after(async () => {
  await stopGatewayHard(gw);
  await app.close();
});

interface BadBody {
  path: 'send' | 'close';
  /** A string is sent as is; anything else is JSON-encoded. */
  body: unknown;
  /** The message must start with this field path (or match the regexp). */
  field: string | RegExp;
  status?: number;
}

const T = { users: ['alice'] };
const BAD: BadBody[] = [
  { path: 'send', body: 'this is not json', field: 'body' },
  { path: 'send', body: '{"payload": 1, ', field: 'body' },
  { path: 'send', body: '', field: 'body' },
  { path: 'send', body: '[1, 2, 3]', field: 'body' },
  { path: 'send', body: 'null', field: 'body' },
  { path: 'send', body: '"a string"', field: 'body' },
  { path: 'send', body: { ...T }, field: 'payload' },
  { path: 'send', body: { payload: 1 }, field: /conn_id|users|tokens|target/ },
  { path: 'send', body: { payload: 1, conn_id: '', users: [], tokens: [] }, field: /conn_id|users|tokens|target/ },
  // An empty user name is not a target: an app that lost track of its user must not broadcast to every anonymous visitor.
  { path: 'send', body: { payload: 1, users: [''] }, field: /conn_id|users|tokens|target/ },
  { path: 'close', body: { users: [''], tokens: [''] }, field: /conns|users|tokens|target/ },
  { path: 'send', body: { payload: 1, conn_id: 12 }, field: 'conn_id' },
  { path: 'send', body: { payload: 1, users: 'alice' }, field: 'users' },
  { path: 'send', body: { payload: 1, users: ['alice', 2] }, field: 'users.1' },
  { path: 'send', body: { payload: 1, tokens: 'tok' }, field: 'tokens' },
  { path: 'send', body: { payload: 1, ...T, tokens: [null] }, field: 'tokens.0' },
  { path: 'send', body: { payload: 1, ...T, users_access_type: 3 }, field: 'users_access_type' },
  { path: 'send', body: { payload: 1, ...T, users_access_type: '1' }, field: 'users_access_type' },
  { path: 'send', body: { payload: 1, ...T, users_access_type: -1 }, field: 'users_access_type' },
  { path: 'send', body: { payload: 1, ...T, users_access_type: 1.5 }, field: 'users_access_type' },
  { path: 'send', body: { payload: 1, payload_base64: 'AAEC', ...T }, field: /payload/ },
  { path: 'send', body: { payload_base64: 'not base64!!', ...T }, field: 'payload_base64' },
  { path: 'send', body: { payload_base64: 1234, ...T }, field: 'payload_base64' },
  { path: 'send', body: { payload_base64: ['AAEC'], ...T }, field: 'payload_base64' },
  { path: 'close', body: {}, field: /conns|users|tokens|target/ },
  { path: 'close', body: { conns: 'abc' }, field: 'conns' },
  { path: 'close', body: { conns: [1] }, field: 'conns.0' },
  { path: 'close', body: { users: [null] }, field: 'users.0' },
  { path: 'close', body: { tokens: {} }, field: 'tokens' },
  { path: 'close', body: { ...T, users_access_type: 'all' }, field: 'users_access_type' },
  { path: 'close', body: 'not json either', field: 'body' },
  { path: 'close', body: '[]', field: 'body' },
];

for (const bad of BAD) {
  const shown = typeof bad.body === 'string' ? bad.body : JSON.stringify(bad.body);
  test(`${bad.path} ${shown.slice(0, 60) || '(empty body)'} → ${bad.status ?? 400} naming ${String(bad.field)}`, async () => {
    const answer = await controlPost(gw.baseUrl, bad.path, bad.body);
    const status = bad.status ?? 400;
    assert.equal(answer.status, status, JSON.stringify(answer.body));
    assert.equal(answer.body.code, status);
    assert.equal(typeof answer.body.message, 'string');
    if (typeof bad.field === 'string') assert.ok(answer.body.message.startsWith(bad.field), `message names ${bad.field}: ${answer.body.message}`);
    else assert.match(answer.body.message, bad.field);
  });
}

test('a 5 MiB body gets 413 with a JSON error', async () => {
  const body = JSON.stringify({ users: ['alice'], payload: 'x'.repeat(5 * 1024 * 1024) });
  const answer = await rawRequest(`${gw.baseUrl}/tapr/ws/conn/send`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  assert.equal(answer.status, 413);
  const parsed = JSON.parse(answer.body) as { code: number; message: string };
  assert.equal(parsed.code, 413);
  assert.ok(parsed.message.length > 0);
});

test('a 5 MiB chunked body (no Content-Length) also gets 413 with a JSON error, not a reset', async () => {
  const chunk = new TextEncoder().encode('x'.repeat(64 * 1024));
  let sent = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent === 0) controller.enqueue(new TextEncoder().encode('{"users":["alice"],"payload":"'));
      if (sent >= 80) {
        controller.enqueue(new TextEncoder().encode('"}'));
        controller.close();
        return;
      }
      controller.enqueue(chunk);
      sent++;
    },
  });
  // The Content-Type became required (F11); the body limit is what this test is about.
  const response = await fetch(`${gw.baseUrl}/tapr/ws/conn/send`, { method: 'POST', body, duplex: 'half', headers: { 'content-type': 'application/json' } });
  assert.equal(response.status, 413);
  const parsed = (await response.json()) as { code: number; message: string };
  assert.equal(parsed.code, 413);
  assert.match(parsed.message, /^body: /);
});

test('a wrong method on a known path is 405; an unknown path is 404; both answer JSON', async () => {
  for (const [method, path] of [['GET', 'send'], ['GET', 'close'], ['POST', 'list'], ['DELETE', 'close'], ['PUT', 'send']] as const) {
    const answer = await rawRequest(`${gw.baseUrl}/tapr/ws/conn/${path}`, { method, headers: { 'content-type': 'application/json' }, body: method === 'GET' ? undefined : '{}' });
    assert.equal(answer.status, 405, `${method} ${path}`);
    assert.equal((JSON.parse(answer.body) as { code: number }).code, 405);
  }
  for (const path of ['/tapr/ws/conn/nope', '/tapr/ws/conn/send/extra', '/tapr/ws/other']) {
    const answer = await rawRequest(`${gw.baseUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    assert.equal(answer.status, 404, path);
    assert.equal((JSON.parse(answer.body) as { code: number }).code, 404);
  }
});

test('after all the bad requests the gateway is still up and serving', async () => {
  assert.equal((await fetch(`${gw.baseUrl}/healthz`)).status, 200);
  const client = await connect(gw.wsUrl, { headers: { 'X-Bfl-User': 'alice' } });
  try {
    await app.waitFor((c) => c.body.action === 'open' && c.body.user_name === 'alice');
    const answer = await controlPost(gw.baseUrl, 'send', { users: ['alice'], payload: { ok: true } });
    assert.deepEqual(answer.body.data, { matched: 1, sent: 1 });
    assert.deepEqual(await client.waitForMessages(1), ['{"ok":true}']);
  } finally {
    client.socket.close();
  }
  assert.equal(gw.child.exitCode, null);
});
