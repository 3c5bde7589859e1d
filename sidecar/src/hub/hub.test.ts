import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildConnectionList } from './connection-list.ts';
import { ConnectionRegistry } from './connection-registry.ts';
import { hasTarget, selectTargets, type Targets } from './targets.ts';

const conn = (connId: string, userName: string, token: string, accessPublic: boolean) => ({
  info: { connId, userName, token, accessPublic, userAgent: `ua-${connId}`, connectedAt: Date.UTC(2026, 0, 1), path: '/ws' },
  channels: undefined as Set<string> | undefined,
});

const a1 = conn('a1', 'alice', 'ta', false);
const a2 = conn('a2', 'alice', 'pa', true);
const b1 = conn('b1', 'bob', 'tb', false);
const anon = conn('n1', '', 'pn', true);

function registry() {
  const r = new ConnectionRegistry<ReturnType<typeof conn>>();
  for (const c of [a1, a2, b1, anon]) r.add(c);
  return r;
}

const ids = (targets: Targets) => selectTargets(registry(), targets).map((c) => c.info.connId).sort();

test('selects by conn id, users or tokens, combining targets with AND', () => {
  assert.deepEqual(ids({ connIds: ['a1'], accessType: 0 }), ['a1']);
  assert.deepEqual(ids({ users: ['alice', 'bob'], accessType: 0 }), ['a1', 'a2', 'b1']);
  assert.deepEqual(ids({ tokens: ['tb', 'pa'], accessType: 0 }), ['a2', 'b1']);
  assert.deepEqual(ids({ users: ['alice'], tokens: ['tb'], accessType: 0 }), [], 'AND: bob\'s token is not alice\'s');
  assert.deepEqual(ids({ connIds: ['a1'], users: ['bob'], accessType: 0 }), []);
  assert.deepEqual(ids({ users: [''], accessType: 0 }), [], 'an empty user name counts as not given');
  assert.deepEqual(ids({ connIds: ['missing'], accessType: 0 }), []);
});

test('users_access_type filters what the targets matched', () => {
  assert.deepEqual(ids({ users: ['alice'], accessType: 1 }), ['a1']);
  assert.deepEqual(ids({ users: ['alice'], accessType: 2 }), ['a2']);
});

test('each connection is selected once even when listed twice', () => {
  assert.deepEqual(ids({ users: ['alice', 'alice'], accessType: 0 }), ['a1', 'a2']);
});

test('hasTarget ignores empty strings and arrays', () => {
  assert.equal(hasTarget({ accessType: 0 }), false);
  assert.equal(hasTarget({ users: [], tokens: [''], accessType: 0 }), false);
  assert.equal(hasTarget({ connIds: ['x'], accessType: 0 }), true);
});

test('registry counts users, public and anonymous connections, and forgets removed ones', () => {
  const r = registry();
  assert.deepEqual(r.counts(), { connections: 4, users: 2, publicConnections: 2, anonymousConnections: 1 });
  r.remove(a2);
  r.remove(anon);
  r.remove(anon);
  assert.deepEqual(r.counts(), { connections: 2, users: 2, publicConnections: 0, anonymousConnections: 0 });
  assert.equal(r.connectionsOfUser('alice'), 1);
  r.remove(a1);
  assert.deepEqual(r.counts(), { connections: 1, users: 1, publicConnections: 0, anonymousConnections: 0 });
});

test('list groups by user, splits by auth cookie and never shows tokens', () => {
  const list = buildConnectionList([a1, a2, b1, anon]);
  assert.deepEqual(list.map((u) => u.name), ['', 'alice', 'bob']);
  const alice = list[1]!;
  assert.deepEqual(alice.conns, [{ id: 'a1', userAgent: 'ua-a1', connectedAt: '2026-01-01T00:00:00.000Z', path: '/ws' }]);
  assert.equal(alice.conns_number, 1);
  assert.deepEqual(alice.public_conns.map((c) => c.id), ['a2']);
  assert.equal(alice.public_conns_number, 1);
  assert.ok(!JSON.stringify(list).includes('"ta"') && !JSON.stringify(list).includes('"pa"'));
  assert.deepEqual(buildConnectionList([]), []);
  assert.equal(buildConnectionList([a1], 'pod-1')[0]!.conns[0]!.pod, 'pod-1');
});

test('list orders users by code unit, as channel answers do: the same in every locale and on every replica', () => {
  const names = ['émile', 'bob', 'Zoë', 'alice'];
  const list = buildConnectionList(names.map((name, i) => conn(`c${i}`, name, `t${i}`, false)));
  // localeCompare would put Zoë last and émile before it.
  assert.deepEqual(list.map((u) => u.name), ['Zoë', 'alice', 'bob', 'émile']);
});
