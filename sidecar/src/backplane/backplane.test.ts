// Unit tests of the backplane's pure parts: message encoding and validation, directory entries, the merged list, reconnect delays.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildConnectionList } from '../hub/connection-list.ts';
import { buildKeys, decodeEntry, decodeMessage, encodeEntry, encodeMessage, zeroCounts, type Command, type Message } from './messages.ts';
import { reconnectDelayMs } from './redis-clients.ts';
import { mergeConnectionLists, toListable } from './union-list.ts';

test('every key and channel starts with the prefix, so two apps never share one', () => {
  const keys = buildKeys('tapr:ws:chat');
  const names = [keys.commands, keys.inbox('a'), keys.alive('a'), keys.replicas, keys.connections('a'), keys.users('a'), keys.owners, keys.scratch('a')];
  for (const name of names) assert.ok(name.startsWith('tapr:ws:chat:'), name);
  assert.equal(new Set(names).size, names.length);
  const other = buildKeys('tapr:ws:blog');
  assert.notEqual(keys.commands, other.commands);
});

test('a text send round-trips with its exact bytes and its targets', () => {
  const command: Command = {
    type: 'send', id: 'r1', from: 'pod-a',
    targets: { users: ['alice', 'bob'], tokens: ['t'], accessType: 1 },
    frame: { data: Buffer.from('{"text":"héllo 👋"}', 'utf8'), binary: false },
  };
  const decoded = decodeMessage(encodeMessage(command));
  assert.ok(decoded.ok);
  assert.deepEqual(decoded.message, command);
});

test('a binary send round-trips every byte value', () => {
  const data = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
  const decoded = decodeMessage(encodeMessage({ type: 'send', id: 'r2', from: 'p', targets: { connIds: ['c1'], accessType: 0 }, frame: { data, binary: true } }));
  assert.ok(decoded.ok && decoded.message.type === 'send');
  assert.ok(decoded.message.frame.binary);
  assert.deepEqual(decoded.message.frame.data, data);
  assert.deepEqual(decoded.message.targets, { connIds: ['c1'], accessType: 0 });
});

test('close and reply round-trip', () => {
  const close: Command = { type: 'close', id: 'r3', from: 'p', targets: { users: ['u'], accessType: 2 }, cause: { code: 1000, reason: 'closed by app' } };
  const decodedClose = decodeMessage(encodeMessage(close));
  assert.ok(decodedClose.ok);
  assert.deepEqual(decodedClose.message, close);
  const reply = { type: 'reply', id: 'r3', from: 'q', matched: 0, sent: 0, closed: 2, subscribed: 0, refused: 0, unsubscribed: 0 } as const;
  const decodedReply = decodeMessage(encodeMessage(reply));
  assert.ok(decodedReply.ok);
  assert.deepEqual(decodedReply.message, reply);
});

test('channel commands, queries and their replies round-trip (SPEC A10)', () => {
  const messages: Message[] = [
    { type: 'send', id: 's', from: 'p', targets: { channels: ['room:1'], exceptConns: ['c1'], exceptUsers: ['bob'], accessType: 0 }, frame: { data: Buffer.from('1'), binary: false } },
    { type: 'subscribe', id: 'a', from: 'p', targets: { users: ['alice'], accessType: 1 }, channels: ['room:1', 'doc:2'] },
    { type: 'unsubscribe', id: 'b', from: 'p', targets: { connIds: ['c1'], accessType: 0 }, channels: null },
    { type: 'channels', id: 'c', from: 'p', prefix: 'room:' },
    { type: 'presence', id: 'd', from: 'p', channel: 'room:1' },
    { type: 'reply', id: 'c', from: 'q', ...zeroCounts(), subscribed: 2, refused: 1, tallies: [{ channel: 'room:1', conns: 2, users: ['alice', ''] }] },
    { type: 'reply', id: 'd', from: 'q', ...zeroCounts(), members: [{ user: 'alice', connId: 'c1', connectedAt: 5, pod: 'q' }] },
  ];
  for (const message of messages) {
    const decoded = decodeMessage(encodeMessage(message));
    assert.ok(decoded.ok, JSON.stringify(decoded));
    assert.deepEqual(decoded.message, message);
  }
});

test('a reply from a replica that predates channels reads as zero channel counts', () => {
  const decoded = decodeMessage('{"type":"reply","id":"r","from":"old","matched":1,"sent":1,"closed":0}');
  assert.ok(decoded.ok);
  assert.deepEqual(decoded.message, { type: 'reply', id: 'r', from: 'old', matched: 1, sent: 1, closed: 0, subscribed: 0, refused: 0, unsubscribed: 0 });
});

test('whatever is not a valid message is refused with the field named', () => {
  const cases: [string, RegExp][] = [
    ['not json', /^message: invalid JSON/],
    ['{"type":"explode","id":"x","from":"p"}', /^type: /],
    ['{"type":"reply","id":"x","from":"p","matched":-1,"sent":0,"closed":0}', /^matched: /],
    ['{"type":"send","id":"x","from":"p","targets":{"users":[1],"accessType":0},"data":"","binary":false}', /^targets\.users\.0: /],
    ['{"type":"send","id":"x","from":"p","targets":{"accessType":3},"data":"","binary":false}', /^targets\.accessType: /],
    ['{"type":"close","id":"","from":"p","targets":{"accessType":0},"code":1000,"reason":""}', /^id: /],
  ];
  for (const [text, expected] of cases) {
    const decoded = decodeMessage(text);
    assert.ok(!decoded.ok, text);
    assert.match(decoded.error, expected, text);
  }
});

test('directory entries keep what list shows and nothing else; invalid ones are skipped', () => {
  const entry = { user: 'alice', userAgent: 'UA/1', connectedAt: 1_700_000_000_000, public: false, path: '/ws/doc/17' };
  const text = encodeEntry(entry);
  assert.deepEqual(decodeEntry(text), entry);
  assert.ok(!text.includes('token'));
  // Replicas from before SPEC A11 write no path; they only served /ws.
  assert.equal(decodeEntry('{"u":"a","a":"x","t":1,"p":true}')?.path, '/ws');
  assert.equal(decodeEntry('{"u":"a"}'), undefined);
  assert.equal(decodeEntry('nope'), undefined);
});

test('the merged list groups a user across replicas, adds the counts and keeps each pod', () => {
  const at = Date.parse('2025-01-01T00:00:00Z');
  const a = buildConnectionList([
    toListable('c1', { user: 'alice', userAgent: 'x', connectedAt: at, public: false, path: '/ws' }),
    toListable('c2', { user: 'bob', userAgent: 'x', connectedAt: at, public: true, path: '/ws/chat' }),
  ], 'pod-a');
  const b = buildConnectionList([
    toListable('c3', { user: 'alice', userAgent: 'y', connectedAt: at, public: true, path: '/ws/chat' }),
    toListable('c4', { user: 'alice', userAgent: 'y', connectedAt: at, public: false, path: '/ws' }),
    toListable('c5', { user: '', userAgent: 'y', connectedAt: at, public: true, path: '/ws/chat' }),
  ], 'pod-b');
  const merged = mergeConnectionLists([a, b]);
  assert.deepEqual(merged.map((u) => u.name), ['', 'alice', 'bob']);
  const alice = merged[1]!;
  assert.equal(alice.conns_number, 2);
  assert.equal(alice.public_conns_number, 1);
  assert.deepEqual(alice.conns.map((c) => [c.id, c.pod]), [['c1', 'pod-a'], ['c4', 'pod-b']]);
  assert.deepEqual(alice.public_conns.map((c) => [c.id, c.pod]), [['c3', 'pod-b']]);
  assert.equal(alice.conns[0]!.connectedAt, '2025-01-01T00:00:00.000Z');
  assert.deepEqual(alice.public_conns.map((c) => c.path), ['/ws/chat'], 'each connection keeps its endpoint');
  // The inputs are not modified.
  assert.equal(a[0]!.conns_number, 1);
});

test('the merged list orders users by code unit, whatever order the replicas answered in', () => {
  const at = Date.parse('2025-01-01T00:00:00Z');
  const on = (pod: string, user: string) => buildConnectionList([toListable(`${pod}-${user}`, { user, userAgent: 'x', connectedAt: at, public: false, path: '/ws' })], pod);
  const names = (lists: ReturnType<typeof buildConnectionList>[]) => mergeConnectionLists(lists).map((u) => u.name);
  assert.deepEqual(names([on('a', 'émile'), on('b', 'Zoë'), on('c', 'bob')]), ['Zoë', 'bob', 'émile']);
  assert.deepEqual(names([on('c', 'bob'), on('b', 'Zoë'), on('a', 'émile')]), ['Zoë', 'bob', 'émile']);
});

test('reconnect delays start short and stay bounded', () => {
  assert.equal(reconnectDelayMs(0), 50);
  assert.equal(reconnectDelayMs(1), 100);
  assert.equal(reconnectDelayMs(5), 1000);
  assert.equal(reconnectDelayMs(1000), 1000);
});
