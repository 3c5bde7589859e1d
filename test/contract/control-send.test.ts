// A4 send: targeting by conn_id, users, tokens, their AND-combination and users_access_type; matched/sent counts.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startAppServer, type AppServer } from '../support/app-server.ts';
import { startGateway, type GatewayProcess } from '../support/gateway-process.ts';
import { connect, type RecordingClient } from '../support/ws-client.ts';
import { controlPost } from '../support/control-api.ts';
import { CALLBACK_PATH, FAST_ENV, clientHeaders, stopGatewayHard } from '../support/stack.ts';

interface Named {
  name: string;
  client: RecordingClient;
  connId: string;
}

let app: AppServer;
let gw: GatewayProcess;
const clients: Named[] = [];
let caseNo = 0;

// <user>Priv connections carry an auth_token cookie, <user>Pub ones do not; anon has neither user nor token.
const SPECS = [
  { name: 'alicePriv', user: 'alice', cookie: 'auth_token=tok-alice' },
  { name: 'alicePub', user: 'alice', cookie: '' },
  { name: 'bobPriv', user: 'bob', cookie: 'auth_token=tok-bob' },
  { name: 'bobPub', user: 'bob', cookie: '' },
  { name: 'anon', user: undefined, cookie: '' },
  { name: 'carolPriv', user: 'carol', cookie: 'auth_token=tok-carol' },
];

before(async () => {
  app = await startAppServer();
  gw = await startGateway({ env: { ...FAST_ENV, WS_PORT: String(app.port), WS_URL: CALLBACK_PATH, WS_PING_TIMEOUT_MS: '0' } });
  for (const spec of SPECS) {
    const tag = spec.name;
    const client = await connect(gw.wsUrl, { headers: clientHeaders({ user: spec.user, cookie: spec.cookie }, tag) });
    const open = await app.waitFor((c) => c.body.action === 'open' && c.headers.cookie?.startsWith(`tag=${tag}`) === true);
    clients.push({ name: spec.name, client, connId: open.body.conn_id });
  }
});

after(async () => {
  for (const c of clients) c.client.socket.terminate();
  await stopGatewayHard(gw);
  await app.close();
});

function byName(name: string): Named {
  return clients.find((c) => c.name === name)!;
}

/**
 * Sends `body` with a unique payload, then a marker to every client by conn_id; returns the answer and the names
 * of the clients that got the payload (per-connection FIFO: the marker arriving proves the payload did not).
 */
async function sendAndObserve(body: Record<string, unknown>): Promise<{ status: number; data: unknown; receivers: string[] }> {
  const id = ++caseNo;
  const counts = clients.map((c) => c.client.received.length);
  const answer = await controlPost(gw.baseUrl, 'send', { ...body, payload: { case: id } });
  for (const c of clients) {
    const marker = await controlPost(gw.baseUrl, 'send', { conn_id: c.connId, payload: { marker: id } });
    assert.equal(marker.status, 200);
  }
  const receivers: string[] = [];
  await Promise.all(clients.map(async (c, i) => {
    for (let index = counts[i]!; ; index++) {
      const frame = (await c.client.waitForMessages(index + 1, 5000))[index];
      if ((JSON.parse(String(frame)) as { marker?: number }).marker === id) break;
    }
    const fresh = c.client.received.slice(counts[i]).map((f) => JSON.parse(String(f)) as { case?: number });
    if (fresh.some((f) => f.case === id)) receivers.push(c.name);
  }));
  return { status: answer.status, data: answer.body.data, receivers: receivers.sort() };
}

const CASES: { title: string; body: Record<string, unknown>; expect: string[] }[] = [
  { title: 'conn_id alone', body: { conn_id: '$bobPriv' }, expect: ['bobPriv'] },
  { title: 'users [alice]', body: { users: ['alice'] }, expect: ['alicePriv', 'alicePub'] },
  { title: 'users [alice, bob]', body: { users: ['alice', 'bob'] }, expect: ['alicePriv', 'alicePub', 'bobPriv', 'bobPub'] },
  { title: 'tokens [tok-alice]', body: { tokens: ['tok-alice'] }, expect: ['alicePriv'] },
  { title: 'tokens [tok-alice, tok-carol]', body: { tokens: ['tok-alice', 'tok-carol'] }, expect: ['alicePriv', 'carolPriv'] },
  { title: 'users AND tokens that match the same connection', body: { users: ['alice'], tokens: ['tok-alice'] }, expect: ['alicePriv'] },
  { title: 'users AND tokens of different users → nothing', body: { users: ['alice'], tokens: ['tok-bob'] }, expect: [] },
  { title: 'conn_id AND users of another user → nothing', body: { conn_id: '$alicePriv', users: ['bob'] }, expect: [] },
  { title: 'conn_id AND its own user', body: { conn_id: '$alicePriv', users: ['alice'] }, expect: ['alicePriv'] },
  { title: 'users_access_type 0 = all', body: { users: ['alice'], users_access_type: 0 }, expect: ['alicePriv', 'alicePub'] },
  { title: 'users_access_type 1 = only with auth_token', body: { users: ['alice', 'bob'], users_access_type: 1 }, expect: ['alicePriv', 'bobPriv'] },
  { title: 'users_access_type 2 = only public', body: { users: ['alice', 'bob'], users_access_type: 2 }, expect: ['alicePub', 'bobPub'] },
  { title: 'users_access_type 2 with a token target → nothing', body: { tokens: ['tok-bob'], users_access_type: 2 }, expect: [] },
  { title: 'empty conn_id and empty users count as not given', body: { conn_id: '', users: [], tokens: ['tok-carol'] }, expect: ['carolPriv'] },
  { title: 'unknown user → 200 with 0', body: { users: ['nobody'] }, expect: [] },
  { title: 'unknown conn_id → 200 with 0', body: { conn_id: '00000000-0000-4000-8000-000000000000' }, expect: [] },
  { title: 'unknown extra fields are ignored', body: { users: ['carol'], extra: { anything: true } }, expect: ['carolPriv'] },
];

for (const c of CASES) {
  test(`send ${c.title}`, async () => {
    const body = Object.fromEntries(Object.entries(c.body).map(([k, v]) => [k, typeof v === 'string' && v.startsWith('$') ? byName(v.slice(1)).connId : v]));
    const result = await sendAndObserve(body);
    assert.equal(result.status, 200);
    assert.deepEqual(result.receivers, [...c.expect].sort());
    assert.deepEqual(result.data, { matched: c.expect.length, sent: c.expect.length });
  });
}

test('send answers {"code":0,"message":"success"}', async () => {
  const carol = byName('carolPriv').client;
  const count = carol.received.length;
  const answer = await controlPost(gw.baseUrl, 'send', { users: ['carol'], payload: 1 });
  assert.equal(answer.status, 200);
  assert.equal(answer.body.code, 0);
  assert.equal(answer.body.message, 'success');
  assert.equal((await carol.waitForMessages(count + 1)).at(-1), '1');
});

test('payload null is valid and arrives as the frame "null"', async () => {
  const carol = byName('carolPriv').client;
  const count = carol.received.length;
  const answer = await controlPost(gw.baseUrl, 'send', { conn_id: byName('carolPriv').connId, payload: null });
  assert.equal(answer.status, 200);
  assert.deepEqual(answer.body.data, { matched: 1, sent: 1 });
  const frames = await carol.waitForMessages(count + 1);
  assert.equal(frames.at(-1), 'null');
});
