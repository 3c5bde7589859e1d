import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decideControlAccess, isLoopbackAddress } from './control-guard.ts';
import {
  parseChannelPrefix, parseCloseCommand, parsePresenceChannel, parseSendCommand, parseSubscribeCommand, parseUnsubscribeCommand,
} from './request-schemas.ts';

test('loopback peers are recognised in every notation', () => {
  for (const address of ['127.0.0.1', '127.255.0.9', '::1', '::ffff:127.0.0.1']) assert.equal(isLoopbackAddress(address), true, address);
  for (const address of ['10.0.0.1', '192.0.2.1', '::ffff:10.0.0.1', 'fe80::1', '', undefined, '128.0.0.1']) assert.equal(isLoopbackAddress(address), false, String(address));
});

test('non-loopback callers need the configured bearer token', () => {
  assert.deepEqual(decideControlAccess('127.0.0.1', undefined, ''), { allowed: true });
  assert.equal(decideControlAccess('192.0.2.1', undefined, '').allowed, false);
  assert.equal(decideControlAccess('192.0.2.1', 'Bearer s3cret', '').allowed, false, 'no token configured: nobody remote');
  assert.equal(decideControlAccess('192.0.2.1', 'Bearer s3cret', 's3cret').allowed, true);
  assert.equal(decideControlAccess('192.0.2.1', 'bearer   s3cret', 's3cret').allowed, true);
  assert.equal(decideControlAccess('192.0.2.1', 'Bearer s3cre', 's3cret').allowed, false);
  assert.equal(decideControlAccess('192.0.2.1', 's3cret', 's3cret').allowed, false);
});

test('send accepts any JSON payload, including null, with AND targets', () => {
  const parsed = parseSendCommand({ payload: null, users: ['a'], tokens: ['t'], users_access_type: 2, extra: 'ignored' });
  assert.deepEqual(parsed, { ok: true, value: { payload: null, targets: { users: ['a'], tokens: ['t'], accessType: 2 } } });
  const binary = parseSendCommand({ payload_base64: 'AP8=', conn_id: 'c' });
  assert.deepEqual(binary, { ok: true, value: { payloadBase64: 'AP8=', targets: { connIds: ['c'], accessType: 0 } } });
});

test('send takes channels, several conns and exceptions (SPEC A10)', () => {
  const parsed = parseSendCommand({ payload: 1, channels: ['room:42'], except_conns: ['c1'], except_users: ['bob'] });
  assert.deepEqual(parsed, { ok: true, value: { payload: 1, targets: { channels: ['room:42'], exceptConns: ['c1'], exceptUsers: ['bob'], accessType: 0 } } });
  assert.deepEqual(parseSendCommand({ payload: 1, conn_id: 'c0', conns: ['c1', 'c2'] }), { ok: true, value: { payload: 1, targets: { connIds: ['c0', 'c1', 'c2'], accessType: 0 } } });
});

const badSends: [unknown, string][] = [
  [[], 'body'],
  ['text', 'body'],
  [null, 'body'],
  [{ users: ['a'] }, 'payload'],
  [{ payload: 1 }, 'conn_id, conns, users, tokens, channels'],
  [{ payload: 1, users: [], tokens: [''], conn_id: '' }, 'conn_id, conns, users, tokens, channels'],
  [{ payload: 1, except_conns: ['c1'] }, 'conn_id, conns, users, tokens, channels'],
  [{ payload: 1, channels: ['room 42'] }, 'channels[0]'],
  [{ payload: 1, channels: ['ok', 'x'.repeat(201)] }, 'channels[1]'],
  [{ payload: 1, channels: 'room:1' }, 'channels'],
  [{ payload: 1, channels: [''] }, 'conn_id, conns, users, tokens, channels'],
  [{ payload: 1, users: ['a'], except_users: 'b' }, 'except_users'],
  [{ payload: 1, conn_id: 5 }, 'conn_id'],
  [{ payload: 1, users: 'alice' }, 'users'],
  [{ payload: 1, users: ['a', 2] }, 'users.1'],
  [{ payload: 1, tokens: {} }, 'tokens'],
  [{ payload: 1, users: ['a'], users_access_type: 3 }, 'users_access_type'],
  [{ payload: 1, users: ['a'], users_access_type: '1' }, 'users_access_type'],
  [{ payload: 1, payload_base64: 'AA==', users: ['a'] }, 'payload, payload_base64'],
  [{ payload_base64: 'not base64!', users: ['a'] }, 'payload_base64'],
  [{ payload_base64: 12, users: ['a'] }, 'payload_base64'],
];

for (const [body, field] of badSends) {
  test(`send rejects ${JSON.stringify(body)} naming ${field}`, () => {
    const result = parseSendCommand(body);
    assert.equal(result.ok, false);
    assert.ok((result as { message: string }).message.startsWith(`${field}: `), (result as { message: string }).message);
  });
}

test('close requires a target and validates its lists', () => {
  assert.deepEqual(parseCloseCommand({ conns: ['c1'] }), { ok: true, value: { targets: { connIds: ['c1'], accessType: 0 } } });
  assert.match((parseCloseCommand({}) as { message: string }).message, /^conns, users, tokens, channels: at least one target/);
  assert.deepEqual(parseCloseCommand({ channels: ['room:1'], except_users: ['admin'] }), { ok: true, value: { targets: { channels: ['room:1'], exceptUsers: ['admin'], accessType: 0 } } });
  assert.match((parseCloseCommand({ conns: [1] }) as { message: string }).message, /^conns\.0: /);
  assert.match((parseCloseCommand({ users: 'bob' }) as { message: string }).message, /^users: /);
});

test('nesting depth is measured without recursion, scalars 0, [] and {} 1', async () => {
  const { isNestedDeeperThan } = await import('./json-depth.ts');
  assert.equal(isNestedDeeperThan(1, 0), false);
  assert.equal(isNestedDeeperThan([], 0), true);
  assert.equal(isNestedDeeperThan([[]], 2), false);
  assert.equal(isNestedDeeperThan({ a: [{ b: 1 }] }, 2), true);
  assert.equal(isNestedDeeperThan({ a: [{ b: 1 }] }, 3), false);
  let deep: unknown = null;
  for (let i = 0; i < 1_000_000; i++) deep = [deep];
  assert.equal(isNestedDeeperThan(deep, 1000), true);
  assert.match((parseSendCommand({ users: ['u'], payload: deep }) as { message: string }).message, /^payload: nested too deeply \(max 1000 levels\)$/);
});

test('browsers are told apart from apps by Origin, Sec-Fetch-* and, for loopback callers, Host', async () => {
  const { decideBrowserGuard } = await import('./browser-guard.ts');
  assert.deepEqual(decideBrowserGuard({ host: '127.0.0.1:40010', 'sec-fetch-mode': 'cors' }, true), { allowed: true });
  assert.deepEqual(decideBrowserGuard({ host: 'chat-ws:40010' }, false), { allowed: true });
  assert.equal(decideBrowserGuard({ host: 'chat-ws:40010' }, true).allowed, false);
  assert.equal(decideBrowserGuard({ host: 'localhost', origin: 'null' }, true).allowed, false);
  assert.equal(decideBrowserGuard({ host: 'localhost', 'sec-fetch-site': 'none' }, false).allowed, false);
  assert.equal(decideBrowserGuard({ host: '[::ffff:127.0.0.1]:1' }, true).allowed, true);
  assert.equal(decideBrowserGuard({ host: '[::2]' }, true).allowed, false);
  assert.equal(decideBrowserGuard({}, true).allowed, false);
});

const messageOf = (result: { ok: true } | { ok: false; message: string }) => (result.ok ? "" : result.message);

test('subscribe names channels and targets, each channel once', () => {
  assert.deepEqual(parseSubscribeCommand({ channels: ['room:42', 'room:42', 'doc/7@v=2#x'], conn_id: 'c1' }, 128), {
    ok: true, value: { targets: { connIds: ['c1'], accessType: 0 }, channels: ['room:42', 'doc/7@v=2#x'] },
  });
  assert.deepEqual(parseSubscribeCommand({ channels: ['a'], users: ['alice'], users_access_type: 1 }, 128), {
    ok: true, value: { targets: { users: ['alice'], accessType: 1 }, channels: ['a'] },
  });
});

const badSubscribes: [unknown, RegExp][] = [
  [{ conn_id: 'c1' }, /^channels: at least one channel is required$/],
  [{ channels: [], conn_id: 'c1' }, /^channels: at least one channel is required$/],
  [{ channels: ['room:1'] }, /^conn_id, conns, users, tokens: at least one target is required$/],
  [{ channels: ['room:1'], users: [''] }, /^conn_id, conns, users, tokens: at least one target/],
  [{ channels: ['ok', 'bad name'], conn_id: 'c1' }, /^channels\[1\]: "bad name" is not a channel name \(1-200 characters/],
  [{ channels: ['é'], conn_id: 'c1' }, /^channels\[0\]: "é" is not a channel name/],
  [{ channels: [''], conn_id: 'c1' }, /^channels\[0\]: "" is not a channel name/],
  [{ channels: ['a', 'b', 'c'], conn_id: 'c1' }, /^channels: 3 channels, at most 2 per request \(WS_MAX_CHANNELS_PER_CONNECTION\)$/],
  [{ channels: ['a'], conn_id: 'c1', chanels: ['b'] }, /^chanels: unknown field$/],
  [{ channels: ['a'], channels_access_type: 1, room: 'x', conn_id: 'c1' }, /^channels_access_type, room: unknown fields$/],
  [{ channels: 'room:1', conn_id: 'c1' }, /^channels: expected an array of strings$/],
  [{ channels: [1], conn_id: 'c1' }, /^channels\.0: expected a string$/],
  [{ channels: ['a'], except_conns: ['c1'], users: ['u'] }, /^except_conns: unknown field$/],
];

for (const [body, message] of badSubscribes) {
  test(`subscribe rejects ${JSON.stringify(body)}`, () => {
    const result = parseSubscribeCommand(body, 2);
    assert.equal(result.ok, false);
    assert.match(messageOf(result), message);
  });
}

test('unsubscribe takes channels or all, not both, not neither', () => {
  assert.deepEqual(parseUnsubscribeCommand({ all: true, users: ['alice'] }), { ok: true, value: { targets: { users: ['alice'], accessType: 0 }, channels: 'all' } });
  assert.deepEqual(parseUnsubscribeCommand({ channels: ['a'], conns: ['c1'] }), { ok: true, value: { targets: { connIds: ['c1'], accessType: 0 }, channels: ['a'] } });
  assert.match(messageOf(parseUnsubscribeCommand({ conns: ['c1'] })), /^channels: at least one channel is required \(or "all":true\)$/);
  assert.match(messageOf(parseUnsubscribeCommand({ all: true, channels: ['a'], conns: ['c1'] })), /^channels, all: give one of them, not both$/);
  assert.match(messageOf(parseUnsubscribeCommand({ all: false, conns: ['c1'] })), /^all: expected true/);
  assert.match(messageOf(parseUnsubscribeCommand({ all: 'yes', conns: ['c1'] })), /^all: expected true/);
  assert.match(messageOf(parseUnsubscribeCommand({ all: true })), /^conn_id, conns, users, tokens: at least one target/);
  assert.match(messageOf(parseUnsubscribeCommand({ channels: ['a b'], conns: ['c1'] })), /^channels\[0\]: "a b" is not a channel name/);
});

test('the channel list prefix and the presence channel are checked like names', () => {
  assert.deepEqual(parseChannelPrefix(undefined), { ok: true, value: '' });
  assert.deepEqual(parseChannelPrefix('room:'), { ok: true, value: 'room:' });
  assert.match(messageOf(parseChannelPrefix('room 4')), /^prefix: "room 4" cannot start a channel name/);
  assert.deepEqual(parsePresenceChannel('room:42'), { ok: true, value: 'room:42' });
  assert.match(messageOf(parsePresenceChannel(undefined)), /^channel: required/);
  assert.match(messageOf(parsePresenceChannel('a'.repeat(201))), /^channel: "a{80}…" is not a channel name/);
});
