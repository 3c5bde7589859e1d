// A4 list: grouped by user, conns (auth_token) vs public_conns, userAgent and RFC 3339 connectedAt, anonymous
// under "", no raw token anywhere, and data [] when nobody is connected.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startStack } from '../support/stack.ts';
import { controlList } from '../support/control-api.ts';
import { RFC3339, waitUntil } from '../support/wait.ts';

interface ListedConn {
  id: string;
  userAgent: string;
  connectedAt: string;
}

interface ListedUser {
  name: string;
  conns: ListedConn[];
  conns_number: number;
  public_conns: ListedConn[];
  public_conns_number: number;
}

test('list is [] when nobody is connected, and answers code 0 / success', async (t) => {
  const stack = await startStack(t);
  const answer = await controlList(stack.gw.baseUrl);
  assert.equal(answer.status, 200);
  assert.equal(answer.body.code, 0);
  assert.equal(answer.body.message, 'success');
  assert.deepEqual(answer.body.data, []);
});

test('list groups connections by user, splits conns/public_conns, never returns raw tokens', async (t) => {
  const stack = await startStack(t, { env: { WS_PING_TIMEOUT_MS: '0' } });
  const before = Date.now() - 1000;
  const alicePriv = await stack.connect({ user: 'alice', cookie: 'auth_token=SECRET-TOKEN-alice', headers: { 'User-Agent': 'agent-alice/1.0' } });
  const alicePub = await stack.connect({ user: 'alice', headers: { 'User-Agent': 'agent-alice-public' } });
  const bobPriv = await stack.connect({ user: 'bob', cookie: 'auth_token=SECRET-TOKEN-bob', headers: { 'User-Agent': 'agent-bob' } });
  const anon = await stack.connect({ headers: { 'User-Agent': 'agent-anon' } });
  const after = Date.now() + 1000;

  const answer = await controlList(stack.gw.baseUrl);
  assert.equal(answer.status, 200);
  const text = JSON.stringify(answer.body);
  for (const secret of ['SECRET-TOKEN-alice', 'SECRET-TOKEN-bob', alicePub.open!.body.token, anon.open!.body.token]) {
    assert.ok(!text.includes(secret), `the answer does not contain the token ${secret}`);
  }
  const data = answer.body.data as ListedUser[];
  assert.deepEqual(data.map((u) => u.name).sort(), ['', 'alice', 'bob']);
  const byName = (name: string) => data.find((u) => u.name === name)!;

  const alice = byName('alice');
  assert.deepEqual(alice.conns.map((c) => c.id), [alicePriv.connId]);
  assert.deepEqual(alice.public_conns.map((c) => c.id), [alicePub.connId]);
  assert.equal(alice.conns_number, 1);
  assert.equal(alice.public_conns_number, 1);
  assert.equal(alice.conns[0]!.userAgent, 'agent-alice/1.0');
  assert.equal(alice.public_conns[0]!.userAgent, 'agent-alice-public');

  const bob = byName('bob');
  assert.deepEqual(bob.conns.map((c) => c.id), [bobPriv.connId]);
  assert.deepEqual(bob.public_conns, []);
  assert.equal(bob.conns_number, 1);
  assert.equal(bob.public_conns_number, 0);

  const anonymous = byName('');
  assert.deepEqual(anonymous.conns, []);
  assert.deepEqual(anonymous.public_conns.map((c) => c.id), [anon.connId]);
  assert.equal(anonymous.public_conns_number, 1);
  assert.equal(anonymous.public_conns[0]!.userAgent, 'agent-anon');

  for (const conn of [...alice.conns, ...alice.public_conns, ...bob.conns, ...anonymous.public_conns]) {
    assert.match(conn.connectedAt, RFC3339);
    const at = Date.parse(conn.connectedAt);
    assert.ok(at >= before && at <= after, `connectedAt ${conn.connectedAt} is the connection time`);
  }

  for (const client of [alicePriv, alicePub, bobPriv, anon]) client.socket.close();
  await waitUntil(async () => {
    const { body } = await controlList(stack.gw.baseUrl);
    return Array.isArray(body.data) && body.data.length === 0;
  }, { what: 'list to be [] after everyone left' });
});
