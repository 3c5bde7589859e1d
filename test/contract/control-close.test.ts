// A4 close: by conns / users / tokens (+ users_access_type); clients get 1000 "closed by app", the app one close
// callback each, the answer counts them; an empty target is 400 and closes nobody.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import { startStack, closeCallbackOf, type Stack, type StackClient } from '../support/stack.ts';
import { controlPost } from '../support/control-api.ts';
import { sleep } from '../support/wait.ts';

interface Fixture {
  stack: Stack;
  alicePriv: StackClient;
  alicePub: StackClient;
  bobPriv: StackClient;
  bobPub: StackClient;
  anon: StackClient;
}

async function fixture(t: TestContext): Promise<Fixture> {
  const stack = await startStack(t, { env: { WS_PING_TIMEOUT_MS: '0' } });
  return {
    stack,
    alicePriv: await stack.connect({ user: 'alice', cookie: 'auth_token=tok-alice' }),
    alicePub: await stack.connect({ user: 'alice' }),
    bobPriv: await stack.connect({ user: 'bob', cookie: 'auth_token=tok-bob' }),
    bobPub: await stack.connect({ user: 'bob' }),
    anon: await stack.connect(),
  };
}

async function expectClosedByApp(f: Fixture, closed: StackClient[], open: StackClient[]): Promise<void> {
  for (const client of closed) {
    assert.deepEqual(await client.closed, { code: 1000, reason: 'closed by app' });
    const callback = await closeCallbackOf(f.stack.app, client.connId, { settleMs: 0 });
    assert.equal(callback.body.code, 1000);
    assert.equal(callback.body.reason, 'closed by app');
  }
  await sleep(300);
  for (const client of closed) {
    assert.equal(f.stack.callbacksOf(client.connId).filter((c) => c.body.action === 'close').length, 1, 'exactly one close callback');
  }
  for (const client of open) {
    assert.equal(client.socket.readyState, client.socket.OPEN, 'untargeted clients stay open');
    assert.equal(f.stack.callbacksOf(client.connId).filter((c) => c.body.action === 'close').length, 0);
  }
}

test('close by conns closes exactly those connections', async (t) => {
  const f = await fixture(t);
  const answer = await controlPost(f.stack.gw.baseUrl, 'close', { conns: [f.alicePriv.connId, f.bobPub.connId] });
  assert.equal(answer.status, 200);
  assert.equal(answer.body.code, 0);
  assert.deepEqual(answer.body.data, { closed: 2 });
  await expectClosedByApp(f, [f.alicePriv, f.bobPub], [f.alicePub, f.bobPriv, f.anon]);
});

test('close by users closes every connection of those users', async (t) => {
  const f = await fixture(t);
  const answer = await controlPost(f.stack.gw.baseUrl, 'close', { users: ['alice'] });
  assert.deepEqual(answer.body.data, { closed: 2 });
  await expectClosedByApp(f, [f.alicePriv, f.alicePub], [f.bobPriv, f.bobPub, f.anon]);
});

test('close by tokens closes the connections with that auth_token', async (t) => {
  const f = await fixture(t);
  const answer = await controlPost(f.stack.gw.baseUrl, 'close', { tokens: ['tok-bob'] });
  assert.deepEqual(answer.body.data, { closed: 1 });
  await expectClosedByApp(f, [f.bobPriv], [f.alicePriv, f.alicePub, f.bobPub, f.anon]);
});

test('close with users_access_type 2 closes only the public connections of the users', async (t) => {
  const f = await fixture(t);
  const answer = await controlPost(f.stack.gw.baseUrl, 'close', { users: ['alice', 'bob'], users_access_type: 2 });
  assert.deepEqual(answer.body.data, { closed: 2 });
  await expectClosedByApp(f, [f.alicePub, f.bobPub], [f.alicePriv, f.bobPriv, f.anon]);
});

test('close with users_access_type 1 closes only the connections with an auth_token', async (t) => {
  const f = await fixture(t);
  const answer = await controlPost(f.stack.gw.baseUrl, 'close', { users: ['alice', 'bob'], users_access_type: 1 });
  assert.deepEqual(answer.body.data, { closed: 2 });
  await expectClosedByApp(f, [f.alicePriv, f.bobPriv], [f.alicePub, f.bobPub, f.anon]);
});

test('close {} is 400 and closes nobody; no match is 200 with closed 0; an already closed conn counts 0', async (t) => {
  const f = await fixture(t);
  const empty = await controlPost(f.stack.gw.baseUrl, 'close', {});
  assert.equal(empty.status, 400);
  assert.equal(empty.body.code, 400);
  const emptyLists = await controlPost(f.stack.gw.baseUrl, 'close', { conns: [], users: [], tokens: [] });
  assert.equal(emptyLists.status, 400, 'empty arrays count as no target');
  const none = await controlPost(f.stack.gw.baseUrl, 'close', { users: ['nobody'] });
  assert.equal(none.status, 200);
  assert.deepEqual(none.body.data, { closed: 0 });

  const first = await controlPost(f.stack.gw.baseUrl, 'close', { conns: [f.anon.connId] });
  assert.deepEqual(first.body.data, { closed: 1 });
  await f.anon.closed;
  await closeCallbackOf(f.stack.app, f.anon.connId, { settleMs: 0 });
  const again = await controlPost(f.stack.gw.baseUrl, 'close', { conns: [f.anon.connId] });
  assert.deepEqual(again.body.data, { closed: 0 });
  await expectClosedByApp(f, [f.anon], [f.alicePriv, f.alicePub, f.bobPriv, f.bobPub]);
});
