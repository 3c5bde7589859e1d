// A10 on one gateway: subscribe/unsubscribe by every target, send by channel with exceptions (each frame once), list and
// presence, subscription from the open answer (notify and authorize), channels in the close callback, the per-connection
// limit, and bad input answered 400 naming the field with nothing already subscribed lost.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { channelGet, channelPost, controlPost } from '../support/control-api.ts';
import { closeCallbackOf, startStack } from '../support/stack.ts';
import { sleep, waitUntil, RFC3339 } from '../support/wait.ts';

interface Presence {
  channel: string;
  conns_number: number;
  users: { name: string; conns: { id: string; connectedAt: string; pod?: string }[] }[];
}

test('subscribe by conn, conns, users and tokens; send to a channel reaches its members once, except the sender', async (t) => {
  const stack = await startStack(t);
  const base = stack.gw.baseUrl;
  const alice = await stack.connect({ user: 'alice' });
  const alice2 = await stack.connect({ user: 'alice' });
  const bob = await stack.connect({ user: 'bob', cookie: 'auth_token=tb' });
  const carol = await stack.connect({ user: 'carol' });

  assert.deepEqual((await channelPost(base, 'subscribe', { channels: ['room:1'], conn_id: alice.connId })).body,
    { code: 0, message: 'success', data: { matched: 1, subscribed: 1, refused: 0 } });
  assert.deepEqual((await channelPost(base, 'subscribe', { channels: ['room:1', 'room:2'], tokens: ['tb'] })).body.data, { matched: 1, subscribed: 2, refused: 0 });
  assert.deepEqual((await channelPost(base, 'subscribe', { channels: ['room:2'], conns: [carol.connId, alice2.connId] })).body.data, { matched: 2, subscribed: 2, refused: 0 });
  assert.deepEqual((await channelPost(base, 'subscribe', { channels: ['room:1'], users: ['alice'] })).body.data, { matched: 2, subscribed: 1, refused: 0 }, 'alice\'s first tab was in already');

  const everyone = await controlPost(base, 'send', { payload: { to: 'both rooms' }, channels: ['room:1', 'room:2'] });
  assert.deepEqual(everyone.body.data, { matched: 4, sent: 4 });
  const butSender = await controlPost(base, 'send', { payload: { to: 'room:1 but alice tab 1' }, channels: ['room:1'], except_conns: [alice.connId] });
  assert.deepEqual(butSender.body.data, { matched: 2, sent: 2 });
  const butBob = await controlPost(base, 'send', { payload: { to: 'room:2 but bob' }, channels: ['room:2'], except_users: ['bob'] });
  assert.deepEqual(butBob.body.data, { matched: 2, sent: 2 });
  await sleep(300);
  assert.deepEqual(alice.received, ['{"to":"both rooms"}']);
  assert.deepEqual(alice2.received, ['{"to":"both rooms"}', '{"to":"room:1 but alice tab 1"}', '{"to":"room:2 but bob"}']);
  assert.deepEqual(bob.received, ['{"to":"both rooms"}', '{"to":"room:1 but alice tab 1"}'], 'bob is in both rooms and got the first frame once');
  assert.deepEqual(carol.received, ['{"to":"both rooms"}', '{"to":"room:2 but bob"}']);

  const list = await channelGet(base, 'list');
  assert.deepEqual(list.body.data, [
    { channel: 'room:1', conns_number: 3, users_number: 2 },
    { channel: 'room:2', conns_number: 3, users_number: 3 },
  ]);
  assert.deepEqual((await channelGet(base, 'list', { prefix: 'room:2' })).body.data, [{ channel: 'room:2', conns_number: 3, users_number: 3 }]);
  assert.deepEqual((await channelGet(base, 'list', { prefix: 'doc:' })).body.data, []);

  const presence = (await channelGet(base, 'presence', { channel: 'room:1' })).body.data as Presence;
  assert.equal(presence.channel, 'room:1');
  assert.equal(presence.conns_number, 3);
  assert.deepEqual(presence.users.map((u) => [u.name, u.conns.map((c) => c.id).sort()]), [['alice', [alice.connId, alice2.connId].sort()], ['bob', [bob.connId]]]);
  assert.match(presence.users[0]!.conns[0]!.connectedAt, RFC3339);
  assert.deepEqual((await channelGet(base, 'presence', { channel: 'room:9' })).body.data, { channel: 'room:9', conns_number: 0, users: [] });

  assert.deepEqual((await channelPost(base, 'unsubscribe', { channels: ['room:1', 'room:2'], users: ['bob'] })).body.data, { matched: 1, unsubscribed: 2 });
  assert.deepEqual((await channelPost(base, 'unsubscribe', { all: true, users: ['alice'] })).body.data, { matched: 2, unsubscribed: 3 });
  assert.deepEqual((await channelGet(base, 'list')).body.data, [{ channel: 'room:2', conns_number: 1, users_number: 1 }]);
  const after = await controlPost(base, 'send', { payload: 'only carol', channels: ['room:1', 'room:2'] });
  assert.deepEqual(after.body.data, { matched: 1, sent: 1 });
  await carol.waitForMessages(3);
  assert.equal(carol.received[2], '"only carol"');
});

test('a connection that closes leaves its channels at once, and its close callback names them', async (t) => {
  const stack = await startStack(t);
  const base = stack.gw.baseUrl;
  const leaving = await stack.connect({ user: 'dave' });
  const staying = await stack.connect({ user: 'erin' });
  await channelPost(base, 'subscribe', { channels: ['room:b', 'room:a'], conn_id: leaving.connId });
  await channelPost(base, 'subscribe', { channels: ['room:a'], conn_id: staying.connId });
  leaving.socket.close(1000, 'bye');
  const closed = await closeCallbackOf(stack.app, leaving.connId);
  assert.equal(closed.count, 1);
  assert.deepEqual(closed.body.channels, ['room:a', 'room:b']);
  assert.deepEqual((await channelGet(base, 'list')).body.data, [{ channel: 'room:a', conns_number: 1, users_number: 1 }], 'room:b is gone with its last member');
  // A connection in no channel says so too.
  const plain = await stack.connect();
  plain.socket.close();
  assert.deepEqual((await closeCallbackOf(stack.app, plain.connId)).body.channels, []);
  // Closed by the app through a channel target: the same single close callback, with the channel.
  const closedByRoom = await controlPost(base, 'close', { channels: ['room:a'] });
  assert.deepEqual(closedByRoom.body.data, { closed: 1 });
  assert.deepEqual((await staying.closed).code, 1000);
  assert.deepEqual((await closeCallbackOf(stack.app, staying.connId)).body.channels, ['room:a']);
});

test('the open answer subscribes the new connection; Olares answers and bad names subscribe nothing', async (t) => {
  const stack = await startStack(t);
  stack.app.respondWith((c) => {
    if (c.body.action !== 'open') return undefined;
    const query = c.body.query ?? '';
    if (query === 'olares') return { body: '{"code":0,"message":"success"}' };
    if (query === 'bad') return { body: '{"subscribe":["ok:1","not ok"]}' };
    return { body: JSON.stringify({ code: 0, subscribe: [`user:${c.body.user_name}`, 'lobby'] }) };
  });
  const frank = await stack.connect({ user: 'frank' });
  await waitUntil(async () => ((await channelGet(stack.gw.baseUrl, 'list')).body.data as unknown[]).length === 2, { what: 'channels from the open answer' });
  await stack.connect({ user: 'gina', path: '/ws?olares' });
  await stack.connect({ user: 'hank', path: '/ws?bad' });
  await waitUntil(async () => ((await channelGet(stack.gw.baseUrl, 'list')).body.data as unknown[]).length === 3, { what: 'ok:1 from the partly bad answer' });
  assert.deepEqual((await channelGet(stack.gw.baseUrl, 'list')).body.data, [
    { channel: 'lobby', conns_number: 1, users_number: 1 },
    { channel: 'ok:1', conns_number: 1, users_number: 1 },
    { channel: 'user:frank', conns_number: 1, users_number: 1 },
  ]);
  const sent = await controlPost(stack.gw.baseUrl, 'send', { payload: 'hi frank', channels: ['user:frank'] });
  assert.deepEqual(sent.body.data, { matched: 1, sent: 1 });
  await frank.waitForMessages(1);
  const logged = await waitUntil(() => stack.gw.logs.find((line) => line.code === 'GW_ERR_OPEN_SUBSCRIBE'), { what: 'the bad name logged' });
  assert.match(String(logged.error), /^subscribe\[1\]: "not ok" is not a channel name/);
});

test('authorize mode: the accepting answer subscribes before the first frame can be sent', async (t) => {
  const stack = await startStack(t, { env: { WS_OPEN_MODE: 'authorize' } });
  stack.app.respondWith((c) => (c.body.action === 'open' ? { body: '{"subscribe":["room:auth"]}' } : undefined));
  const client = await stack.connect({ user: 'ivy' });
  // The upgrade completed after the answer: the membership exists already.
  const sent = await controlPost(stack.gw.baseUrl, 'send', { payload: 'welcome', channels: ['room:auth'] });
  assert.deepEqual(sent.body.data, { matched: 1, sent: 1 });
  await client.waitForMessages(1);
});

test('WS_MAX_CHANNELS_PER_CONNECTION: memberships past it are refused and counted, earlier ones kept', async (t) => {
  const stack = await startStack(t, { env: { WS_MAX_CHANNELS_PER_CONNECTION: '2' } });
  const base = stack.gw.baseUrl;
  const client = await stack.connect({ user: 'jo' });
  assert.deepEqual((await channelPost(base, 'subscribe', { channels: ['a', 'b'], conn_id: client.connId })).body.data, { matched: 1, subscribed: 2, refused: 0 });
  assert.deepEqual((await channelPost(base, 'subscribe', { channels: ['a', 'c'], conn_id: client.connId })).body.data, { matched: 1, subscribed: 0, refused: 1 });
  const tooMany = await channelPost(base, 'subscribe', { channels: ['x', 'y', 'z'], conn_id: client.connId });
  assert.equal(tooMany.status, 400);
  assert.equal(tooMany.body.message, 'channels: 3 channels, at most 2 per request (WS_MAX_CHANNELS_PER_CONNECTION)');
  assert.deepEqual((await channelGet(base, 'list')).body.data, [
    { channel: 'a', conns_number: 1, users_number: 1 },
    { channel: 'b', conns_number: 1, users_number: 1 },
  ]);
});

test('bad input: 400 naming the field, 405 and 404 as elsewhere; nothing already subscribed is lost', async (t) => {
  const stack = await startStack(t);
  const base = stack.gw.baseUrl;
  const client = await stack.connect({ user: 'kim' });
  await channelPost(base, 'subscribe', { channels: ['keep:me'], conn_id: client.connId });
  const cases: [string, 'subscribe' | 'unsubscribe', unknown, string][] = [
    ['invalid name', 'subscribe', { channels: ['room 1'], conn_id: client.connId }, 'channels[0]: "room 1" is not a channel name (1-200 characters, each an ASCII letter, a digit or one of _-:./@#=)'],
    ['no channel', 'subscribe', { channels: [], conn_id: client.connId }, 'channels: at least one channel is required'],
    ['no target', 'subscribe', { channels: ['a'] }, 'conn_id, conns, users, tokens: at least one target is required'],
    ['empty targets', 'subscribe', { channels: ['a'], users: [], tokens: [''] }, 'conn_id, conns, users, tokens: at least one target is required'],
    ['unknown field', 'subscribe', { channels: ['a'], conn_id: client.connId, channel: 'b' }, 'channel: unknown field'],
    ['wrong type', 'subscribe', { channels: 'a', conn_id: client.connId }, 'channels: expected an array of strings'],
    ['not an object', 'subscribe', ['a'], 'body: expected a JSON object'],
    ['neither channels nor all', 'unsubscribe', { conn_id: client.connId }, 'channels: at least one channel is required (or "all":true)'],
    ['both channels and all', 'unsubscribe', { conn_id: client.connId, all: true, channels: ['keep:me'] }, 'channels, all: give one of them, not both'],
  ];
  for (const [what, path, body, message] of cases) {
    const answer = await channelPost(base, path, body);
    assert.equal(answer.status, 400, what);
    assert.deepEqual(answer.body, { code: 400, message }, what);
  }
  const invalidJson = await channelPost(base, 'subscribe', '{"channels":');
  assert.equal(invalidJson.status, 400);
  assert.match(invalidJson.body.message, /^body: invalid JSON/);
  const badSend = await controlPost(base, 'send', { payload: 1, channels: ['ok', 'no way'] });
  assert.deepEqual(badSend.body, { code: 400, message: 'channels[1]: "no way" is not a channel name (1-200 characters, each an ASCII letter, a digit or one of _-:./@#=)' });
  const onlyExceptions = await controlPost(base, 'send', { payload: 1, except_conns: [client.connId] });
  assert.equal(onlyExceptions.status, 400);
  assert.match(onlyExceptions.body.message, /^conn_id, conns, users, tokens, channels: at least one target is required/);
  const badPrefix = await channelGet(base, 'list', { prefix: 'a b' });
  assert.deepEqual(badPrefix.body, { code: 400, message: 'prefix: "a b" cannot start a channel name (1-200 characters, each an ASCII letter, a digit or one of _-:./@#=)' });
  const noChannel = await channelGet(base, 'presence');
  assert.deepEqual(noChannel.body, { code: 400, message: 'channel: required (?channel=<name>)' });
  const wrongMethod = await fetch(`${base}/tapr/ws/channel/subscribe`);
  assert.equal(wrongMethod.status, 405);
  const unknown = await fetch(`${base}/tapr/ws/channel/join`, { method: 'POST' });
  assert.equal(unknown.status, 404);

  assert.deepEqual((await channelGet(base, 'list')).body.data, [{ channel: 'keep:me', conns_number: 1, users_number: 1 }], 'nothing lost');
});

test('the channel endpoints have the control API guard: a browser page is refused', async (t) => {
  const stack = await startStack(t);
  const fromPage = await channelPost(stack.gw.baseUrl, 'subscribe', { channels: ['a'], users: ['x'] }, { origin: 'https://evil.example' });
  assert.equal(fromPage.status, 403);
  const listFromPage = await channelGet(stack.gw.baseUrl, 'list', {}, { 'sec-fetch-site': 'cross-site' });
  assert.equal(listFromPage.status, 403);
});
