// A8 + A10 with three replicas on one Redis: subscribe on one replica, send from another, members on all three; list and
// presence are unions; each frame reaches each member once; Redis restarting keeps the memberships on the gateways.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { channelGet, channelPost, controlPost } from '../support/control-api.ts';
import { startRedisServer } from '../support/redis-server.ts';
import { readyzOf, startReplicas, waitForReplicas } from '../support/replicas.ts';
import { closeCallbackOf, type StackClient } from '../support/stack.ts';
import { sleep, waitUntil } from '../support/wait.ts';

interface Presence {
  conns_number: number;
  users: { name: string; conns: { id: string; connectedAt: string; pod?: string }[] }[];
}

const replicasAnswered = (count: number) => ({ answered: count, missing: [] });

test('channels across three replicas behave as on one gateway', async (t) => {
  const redis = await startRedisServer();
  t.after(() => redis.stop());
  const replicas = await startReplicas(t, redis.url, ['pod-a', 'pod-b', 'pod-c']);
  await waitForReplicas(replicas, 3);
  const [a, b, c] = replicas as [typeof replicas[0], typeof replicas[0], typeof replicas[0]];
  // alice on every replica, bob on pod-b, carol on pod-c.
  const alice: StackClient[] = [];
  for (const replica of replicas) alice.push(await replica.connect({ user: 'alice' }));
  const bob = await b.connect({ user: 'bob' });
  const carol = await c.connect({ user: 'carol' });

  await t.test('subscribe on one replica reaches connections held by the others', async () => {
    const byUser = await channelPost(a.gw.baseUrl, 'subscribe', { channels: ['room:1'], users: ['alice', 'bob'] });
    assert.deepEqual(byUser.body.data, { matched: 4, subscribed: 4, refused: 0, replicas: replicasAnswered(3) });
    // Direct: conn ids owned by pod-c and pod-b, asked on pod-a: only their owners are asked.
    const direct = await channelPost(a.gw.baseUrl, 'subscribe', { channels: ['room:1', 'room:2'], conns: [carol.connId, alice[1]!.connId] });
    assert.deepEqual(direct.body.data, { matched: 2, subscribed: 3, refused: 0, replicas: replicasAnswered(3) });
  });

  await t.test('a send from another replica reaches every member once, the sender excepted', async () => {
    const answer = await controlPost(c.gw.baseUrl, 'send', { payload: 'hello room', channels: ['room:1', 'room:2'], except_conns: [alice[0]!.connId] });
    assert.deepEqual(answer.body.data, { matched: 4, sent: 4, replicas: replicasAnswered(3) });
    const butBob = await controlPost(b.gw.baseUrl, 'send', { payload: 'not for bob', channels: ['room:1'], except_users: ['bob'] });
    assert.deepEqual(butBob.body.data, { matched: 4, sent: 4, replicas: replicasAnswered(3) });
    await sleep(400);
    assert.deepEqual(alice[0]!.received, ['"not for bob"']);
    assert.deepEqual(alice[1]!.received, ['"hello room"', '"not for bob"'], 'in room:1 and room:2, one frame');
    assert.deepEqual(alice[2]!.received, ['"hello room"', '"not for bob"']);
    assert.deepEqual(bob.received, ['"hello room"']);
    assert.deepEqual(carol.received, ['"hello room"', '"not for bob"']);
  });

  await t.test('list and presence are the union over replicas; a user on three replicas counts once', async () => {
    for (const replica of replicas) {
      const list = await channelGet(replica.gw.baseUrl, 'list');
      assert.deepEqual(list.body.data, [
        { channel: 'room:1', conns_number: 5, users_number: 3 },
        { channel: 'room:2', conns_number: 2, users_number: 2 },
      ], replica.pod);
    }
    const presence = (await channelGet(b.gw.baseUrl, 'presence', { channel: 'room:1' })).body.data as Presence;
    assert.equal(presence.conns_number, 5);
    assert.deepEqual(presence.users.map((u) => u.name), ['alice', 'bob', 'carol']);
    assert.deepEqual(presence.users[0]!.conns.map((conn) => conn.pod).sort(), ['pod-a', 'pod-b', 'pod-c']);
    assert.deepEqual(presence.users[2]!.conns, [{ id: carol.connId, connectedAt: presence.users[2]!.conns[0]!.connectedAt, pod: 'pod-c' }]);
  });

  await t.test('unsubscribe crosses replicas; a closed member leaves everywhere at once', async () => {
    const left = await channelPost(c.gw.baseUrl, 'unsubscribe', { channels: ['room:1'], users: ['alice'] });
    assert.deepEqual(left.body.data, { matched: 3, unsubscribed: 3, replicas: replicasAnswered(3) });
    bob.socket.close();
    const closed = await closeCallbackOf(b.app, bob.connId);
    assert.deepEqual(closed.body.channels, ['room:1']);
    assert.deepEqual((await channelGet(a.gw.baseUrl, 'list')).body.data, [
      { channel: 'room:1', conns_number: 1, users_number: 1 },
      { channel: 'room:2', conns_number: 2, users_number: 2 },
    ]);
    const all = await channelPost(a.gw.baseUrl, 'unsubscribe', { all: true, users: ['alice', 'carol'] });
    assert.deepEqual(all.body.data, { matched: 4, unsubscribed: 3, replicas: replicasAnswered(3) });
    assert.deepEqual((await channelGet(b.gw.baseUrl, 'list')).body.data, []);
  });
});

test('Redis restarting: memberships stay on the gateways that hold them, channel sends resume', async (t) => {
  const redis = await startRedisServer();
  t.after(() => redis.stop());
  const replicas = await startReplicas(t, redis.url, ['pod-a', 'pod-b', 'pod-c']);
  await waitForReplicas(replicas, 3);
  const members: StackClient[] = [];
  for (const replica of replicas) members.push(await replica.connect({ user: `user-${replica.pod}` }));
  const subscribed = await channelPost(replicas[0]!.gw.baseUrl, 'subscribe', { channels: ['doc:7'], users: members.map((_, i) => `user-${replicas[i]!.pod}`) });
  assert.equal((subscribed.body.data as { subscribed: number }).subscribed, 3);

  await redis.stop();
  await waitUntil(async () => (await readyzOf(replicas[0]!)).status === 503, { what: 'pod-a sees Redis gone', timeoutMs: 10000 });
  const local = await controlPost(replicas[0]!.gw.baseUrl, 'send', { payload: 'while down', channels: ['doc:7'] });
  assert.deepEqual(local.body.data, { matched: 1, sent: 1, replicas: { answered: 1, missing: ['pod-b', 'pod-c'] }, backplane: 'unavailable' }, 'local members still get it');
  assert.deepEqual((await channelGet(replicas[1]!.gw.baseUrl, 'list')).body.data, [{ channel: 'doc:7', conns_number: 1, users_number: 1 }], 'each replica still knows its own');

  await redis.restart();
  let attempt = 0;
  await waitUntil(async () => {
    attempt++;
    const answer = await controlPost(replicas[2]!.gw.baseUrl, 'send', { payload: { attempt }, channels: ['doc:7'] });
    return (answer.body.data as { matched: number }).matched === 3;
  }, { what: 'a channel send reaching all three replicas again', timeoutMs: 20000 });
  const list = await channelGet(replicas[1]!.gw.baseUrl, 'list');
  assert.deepEqual(list.body.data, [{ channel: 'doc:7', conns_number: 3, users_number: 3 }]);
  // Every member got the frame of the attempt that matched 3, once.
  for (const member of members) {
    await waitUntil(() => member.received.includes(JSON.stringify({ attempt })), { what: 'the resumed frame', timeoutMs: 5000 });
    assert.equal(member.received.filter((frame) => frame === JSON.stringify({ attempt })).length, 1);
  }
});
