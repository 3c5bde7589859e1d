// Unit tests of channels (SPEC A10): memberships and their limit, target selection by channel and exception, list and presence.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ChannelIndex } from './channel-index.ts';
import { isChannelName } from './channel-name.ts';
import { buildChannelList, buildPresence } from './channel-report.ts';
import { ConnectionRegistry } from './connection-registry.ts';
import { selectTargets, type Targets } from './targets.ts';

const conn = (connId: string, userName: string) => ({
  info: { connId, userName, token: `t-${connId}`, accessPublic: false, userAgent: '', connectedAt: 0, path: '/ws' },
  channels: undefined as Set<string> | undefined,
});
type Conn = ReturnType<typeof conn>;

function room() {
  const registry = new ConnectionRegistry<Conn>(3);
  const [a1, a2, b1, c1] = [conn('a1', 'alice'), conn('a2', 'alice'), conn('b1', 'bob'), conn('c1', 'carol')];
  for (const c of [a1, a2, b1, c1]) registry.add(c);
  registry.channels.join(a1, 'room:1');
  registry.channels.join(b1, 'room:1');
  registry.channels.join(b1, 'room:2');
  registry.channels.join(c1, 'room:2');
  return { registry, a1, a2, b1, c1 };
}

const ids = (registry: ConnectionRegistry<Conn>, targets: Omit<Targets, 'accessType'>) =>
  selectTargets(registry, { ...targets, accessType: 0 }).map((c) => c.info.connId).sort();

test('channel names: letters, digits and _-:./@#=, 1 to 200 of them', () => {
  for (const name of ['a', 'room:42', 'doc/17.v2', 'user@host#frag=1', 'A_B-c', 'x'.repeat(200)]) assert.equal(isChannelName(name), true, name);
  for (const name of ['', 'room 42', 'é', 'a\n', 'x'.repeat(201), 'a*', 'a,b', 'a?b']) assert.equal(isChannelName(name), false, name);
});

test('a send to channels reaches members of any of them, each once', () => {
  const { registry } = room();
  assert.deepEqual(ids(registry, { channels: ['room:1'] }), ['a1', 'b1']);
  assert.deepEqual(ids(registry, { channels: ['room:1', 'room:2'] }), ['a1', 'b1', 'c1'], 'b1 is in both and gets the frame once');
  assert.equal(selectTargets(registry, { channels: ['room:1', 'room:2'], accessType: 0 }).length, 3);
  assert.deepEqual(ids(registry, { channels: ['nobody-here'] }), []);
});

test('exceptions remove from what the targets matched: everyone in the room but the sender', () => {
  const { registry } = room();
  assert.deepEqual(ids(registry, { channels: ['room:1'], exceptConns: ['a1'] }), ['b1']);
  assert.deepEqual(ids(registry, { channels: ['room:1', 'room:2'], exceptUsers: ['bob'] }), ['a1', 'c1']);
  assert.deepEqual(ids(registry, { users: ['alice'], exceptConns: ['a2'] }), ['a1']);
  assert.deepEqual(ids(registry, { exceptConns: ['a1'] }), [], 'exceptions alone select nothing');
});

test('channels combine with the other targets with AND', () => {
  const { registry } = room();
  assert.deepEqual(ids(registry, { users: ['alice', 'bob'], channels: ['room:1'] }), ['a1', 'b1'], 'a2 is alice but not in the room');
  assert.deepEqual(ids(registry, { connIds: ['a2', 'c1'], channels: ['room:2'] }), ['c1']);
  assert.deepEqual(ids(registry, { tokens: ['t-b1'], channels: ['room:9'] }), []);
});

test('a connection joins at most the limit; joining twice is not a new membership', () => {
  const index = new ChannelIndex<Conn>(2);
  const c = conn('c', 'u');
  assert.equal(index.join(c, 'a'), 'joined');
  assert.equal(index.join(c, 'a'), 'already');
  assert.equal(index.join(c, 'b'), 'joined');
  assert.equal(index.join(c, 'c'), 'refused');
  assert.deepEqual([...c.channels!].sort(), ['a', 'b']);
  assert.equal(index.leave(c, 'a'), true);
  assert.equal(index.leave(c, 'a'), false);
  assert.equal(index.join(c, 'c'), 'joined', 'room again after leaving one');
});

test('a removed connection has left all its channels, and empty channels are forgotten', () => {
  const { registry, b1, a1 } = room();
  registry.remove(b1);
  assert.deepEqual(ids(registry, { channels: ['room:1', 'room:2'] }), ['a1', 'c1']);
  assert.equal(b1.channels?.size, 0);
  assert.equal(registry.channels.leaveAll(a1), 1);
  assert.deepEqual(registry.channels.tallies('').map((t) => t.channel), ['room:2']);
  assert.equal(registry.channels.size, 1);
});

test('the list merges replicas: connections add up, a user on two replicas counts once, anonymous ones do not count as users', () => {
  const podA = [{ channel: 'room:2', conns: 2, users: ['alice'] }, { channel: 'room:1', conns: 1, users: ['bob'] }];
  const podB = [{ channel: 'room:1', conns: 3, users: ['alice', 'bob', ''] }];
  assert.deepEqual(buildChannelList([podA, podB]), [
    { channel: 'room:1', conns_number: 4, users_number: 2 },
    { channel: 'room:2', conns_number: 2, users_number: 1 },
  ]);
  assert.deepEqual(buildChannelList([]), []);
});

test('tallies filter by prefix', () => {
  const { registry } = room();
  registry.channels.join(registry.byId('a2')!, 'doc:1');
  assert.deepEqual(registry.channels.tallies('room:').map((t) => t.channel).sort(), ['room:1', 'room:2']);
  assert.deepEqual(registry.channels.tallies('doc'), [{ channel: 'doc:1', conns: 1, users: ['alice'] }]);
});

test('presence groups members by user, oldest connection first, with their pod when known', () => {
  const presence = buildPresence('room:1', [
    { user: 'bob', connId: 'b1', connectedAt: Date.UTC(2026, 0, 1, 0, 0, 2), pod: 'pod-b' },
    { user: 'alice', connId: 'a2', connectedAt: Date.UTC(2026, 0, 1, 0, 0, 5), pod: 'pod-a' },
    { user: 'alice', connId: 'a1', connectedAt: Date.UTC(2026, 0, 1, 0, 0, 1), pod: 'pod-b' },
    { user: '', connId: 'n1', connectedAt: 0 },
  ]);
  assert.equal(presence.conns_number, 4);
  assert.deepEqual(presence.users.map((u) => u.name), ['', 'alice', 'bob']);
  assert.deepEqual(presence.users[1]!.conns, [
    { id: 'a1', connectedAt: '2026-01-01T00:00:01.000Z', pod: 'pod-b' },
    { id: 'a2', connectedAt: '2026-01-01T00:00:05.000Z', pod: 'pod-a' },
  ]);
  assert.deepEqual(presence.users[0]!.conns, [{ id: 'n1', connectedAt: '1970-01-01T00:00:00.000Z' }]);
  assert.deepEqual(buildPresence('empty', []), { channel: 'empty', conns_number: 0, users: [] });
});
