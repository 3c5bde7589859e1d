// A2 handshake: 426 for plain GET, subprotocol selection, identity (user header, conn_id, token/access_public),
// WS_REQUIRE_USER, WS_ALLOWED_ORIGINS, WS_MAX_CONNECTIONS and WS_MAX_CONNECTIONS_PER_USER.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startStack } from '../support/stack.ts';
import { upgradeStatus } from '../support/ws-client.ts';
import { rawUpgrade } from '../support/http.ts';
import { UUID_V4 } from '../support/wait.ts';

test('a plain GET /ws (no upgrade) gets HTTP 426', async (t) => {
  const { gw } = await startStack(t);
  const response = await fetch(`${gw.baseUrl}/ws`);
  assert.equal(response.status, 426);
});

test('offered subprotocols "a, b": the first one is selected', async (t) => {
  const stack = await startStack(t);
  const answer = await rawUpgrade(stack.gw.wsUrl, { 'Sec-WebSocket-Protocol': 'a, b' });
  assert.equal(answer.status, 101);
  assert.equal(answer.headers['sec-websocket-protocol'], 'a');
  const client = await stack.connect({ protocols: ['chat.v2', 'chat.v1'] });
  assert.equal(client.socket.protocol, 'chat.v2');
  const none = await rawUpgrade(stack.gw.wsUrl);
  assert.equal(none.status, 101);
  assert.equal(none.headers['sec-websocket-protocol'], undefined, 'no subprotocol header when none was offered');
});

test('user_name comes from X-Bfl-User; missing header means user ""', async (t) => {
  const stack = await startStack(t);
  const alice = await stack.connect({ user: 'alice' });
  assert.equal(alice.open?.body.user_name, 'alice');
  const anonymous = await stack.connect();
  assert.equal(anonymous.open?.body.user_name, '');
});

test('WS_USER_HEADER overrides the header that carries the user', async (t) => {
  const stack = await startStack(t, { env: { WS_USER_HEADER: 'X-Remote-User' } });
  const bob = await stack.connect({ user: 'bob', userHeader: 'X-Remote-User' });
  assert.equal(bob.open?.body.user_name, 'bob');
  const notTrusted = await stack.connect({ user: 'mallory', userHeader: 'X-Bfl-User' });
  assert.equal(notTrusted.open?.body.user_name, '', 'X-Bfl-User is not read when another header is configured');
});

test('WS_REQUIRE_USER=true: an upgrade without the user header gets 401, with it succeeds', async (t) => {
  const stack = await startStack(t, { env: { WS_REQUIRE_USER: 'true' } });
  assert.equal(await upgradeStatus(stack.gw.wsUrl), 401);
  assert.equal(await upgradeStatus(stack.gw.wsUrl, { headers: { 'X-Bfl-User': '' } }), 401, 'an empty user header counts as missing');
  const alice = await stack.connect({ user: 'alice' });
  assert.equal(alice.open?.body.user_name, 'alice');
});

test('conn_id is a fresh UUID v4 for every connection', async (t) => {
  const stack = await startStack(t);
  const ids = new Set<string>();
  for (let i = 0; i < 5; i++) {
    const client = await stack.connect({ user: 'alice' });
    assert.match(client.connId, UUID_V4);
    ids.add(client.connId);
  }
  assert.equal(ids.size, 5);
});

test('token/access_public: the auth_token cookie, else a random UUID and access_public true', async (t) => {
  const stack = await startStack(t);
  const withCookie = await stack.connect({ user: 'alice', cookie: 'theme=dark; auth_token=tok-123.abc; lang=en' });
  assert.equal(withCookie.open?.body.token, 'tok-123.abc');
  assert.equal(withCookie.open?.body.access_public, false);

  const otherCookies = await stack.connect({ user: 'alice', cookie: 'theme=dark' });
  assert.match(otherCookies.open!.body.token, UUID_V4);
  assert.equal(otherCookies.open?.body.access_public, true);

  const noCookie = await stack.connect({ user: 'alice', tag: false, waitOpen: false });
  const open = await stack.app.waitFor((c) => c.body.action === 'open' && c.headers.cookie === undefined);
  assert.match(open.body.token, UUID_V4);
  assert.equal(open.body.access_public, true);
  assert.notEqual(open.body.token, otherCookies.open?.body.token, 'each public connection gets its own token');
  noCookie.socket.close();
});

test('WS_ALLOWED_ORIGINS: another Origin gets 403; a listed Origin and no Origin are accepted', async (t) => {
  const stack = await startStack(t, { env: { WS_ALLOWED_ORIGINS: 'https://a.example,https://b.example' } });
  assert.equal(await upgradeStatus(stack.gw.wsUrl, { headers: { Origin: 'https://evil.example' } }), 403);
  assert.equal(await upgradeStatus(stack.gw.wsUrl, { headers: { Origin: 'https://a.example.evil.example' } }), 403);
  const listed = await stack.connect({ headers: { Origin: 'https://b.example' } });
  assert.equal(listed.socket.readyState, listed.socket.OPEN);
  const noOrigin = await stack.connect();
  assert.equal(noOrigin.socket.readyState, noOrigin.socket.OPEN);
});

test('WS_MAX_CONNECTIONS: past the limit upgrades get 503; a freed slot can be reused', async (t) => {
  const stack = await startStack(t, { env: { WS_MAX_CONNECTIONS: '2' } });
  const first = await stack.connect({ user: 'a' });
  await stack.connect({ user: 'b' });
  assert.equal(await upgradeStatus(stack.gw.wsUrl, { headers: { 'X-Bfl-User': 'c' } }), 503);
  first.socket.close();
  await stack.app.waitFor((c) => c.body.action === 'close' && c.body.conn_id === first.connId);
  const again = await stack.connect({ user: 'c' });
  assert.equal(again.open?.body.user_name, 'c');
});

test('WS_MAX_CONNECTIONS_PER_USER: past the limit a user gets 429; other users and anonymous are not limited', async (t) => {
  const stack = await startStack(t, { env: { WS_MAX_CONNECTIONS_PER_USER: '1' } });
  await stack.connect({ user: 'alice' });
  assert.equal(await upgradeStatus(stack.gw.wsUrl, { headers: { 'X-Bfl-User': 'alice' } }), 429);
  await stack.connect({ user: 'bob' });
  for (let i = 0; i < 3; i++) await stack.connect();
});
