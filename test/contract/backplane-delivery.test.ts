// A8 with three replicas and one Redis: send/close reach every replica exactly once, conn_id goes to its owner only, list and /stats show the union.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { controlList, controlPost } from '../support/control-api.ts';
import { startRedisServer } from '../support/redis-server.ts';
import { startReplicas, statsOf, waitForReplicas } from '../support/replicas.ts';
import { closeCallbackOf, type StackClient } from '../support/stack.ts';
import { sleep, waitUntil } from '../support/wait.ts';

/** Each replica's backplane log lines, for a failure message. */
function backplaneLogs(replicas: { pod: string; gw: { logs: Record<string, unknown>[] } }[]): string {
  return replicas.map((replica) => `${replica.pod}: ${JSON.stringify(replica.gw.logs.filter((entry) => String(entry.msg).startsWith('backplane')))}`).join('\n');
}

interface ListedUser {
  name: string;
  conns: { id: string; pod?: string }[];
  conns_number: number;
  public_conns: { id: string; pod?: string }[];
  public_conns_number: number;
}

test('three replicas behave as one gateway', async (t) => {
  const redis = await startRedisServer();
  t.after(() => redis.stop());
  const replicas = await startReplicas(t, redis.url, ['pod-a', 'pod-b', 'pod-c']);
  await waitForReplicas(replicas, 3);
  const alice: StackClient[] = [];
  for (const replica of replicas) alice.push(await replica.connect({ user: 'alice', cookie: 'auth_token=tok-alice' }));
  const bob = await replicas[1]!.connect({ user: 'bob' });

  await t.test('a send by user on any replica reaches each of the user\'s connections exactly once', async () => {
    for (const [i, replica] of replicas.entries()) {
      const answer = await controlPost(replica.gw.baseUrl, 'send', { payload: { n: i }, users: ['alice'] });
      assert.equal(answer.status, 200);
      // A rare CI failure once saw pod-a missing here (not reproduced since): say what each replica logged if it recurs.
      assert.deepEqual(answer.body, { code: 0, message: 'success', data: { matched: 3, sent: 3, replicas: { answered: 3, missing: [] } } },
        `send via ${replica.pod}: ${JSON.stringify(answer.body)}\n${backplaneLogs(replicas)}`);
    }
    for (const client of alice) await client.waitForMessages(3, 5000);
    await sleep(300);
    for (const client of alice) assert.deepEqual(client.received, ['{"n":0}', '{"n":1}', '{"n":2}']);
    assert.deepEqual(bob.received, []);
  });

  await t.test('a send by token and access type crosses replicas too', async () => {
    const answer = await controlPost(replicas[2]!.gw.baseUrl, 'send', { payload: 'tok', tokens: ['tok-alice'], users_access_type: 1 });
    assert.equal((answer.body.data as { sent: number }).sent, 3);
    for (const client of alice) await client.waitForMessages(4, 5000);
    const publicOnly = await controlPost(replicas[0]!.gw.baseUrl, 'send', { payload: 'pub', users: ['alice', 'bob'], users_access_type: 2 });
    assert.equal((publicOnly.body.data as { sent: number }).sent, 1);
    await bob.waitForMessages(1, 5000);
    assert.deepEqual(bob.received, ['"pub"']);
  });

  await t.test('a send by conn_id to a connection on another replica reaches only that connection', async () => {
    const before = alice.map((c) => c.received.length);
    const answer = await controlPost(replicas[0]!.gw.baseUrl, 'send', { payload: { direct: true }, conn_id: alice[2]!.connId });
    assert.deepEqual(answer.body.data, { matched: 1, sent: 1, replicas: { answered: 2, missing: [] } });
    await alice[2]!.waitForMessages(before[2]! + 1, 5000);
    await sleep(300);
    assert.deepEqual(alice.map((c) => c.received.length), [before[0], before[1], before[2]! + 1]);
    assert.equal(alice[2]!.received.at(-1), '{"direct":true}');
    const unknown = await controlPost(replicas[0]!.gw.baseUrl, 'send', { payload: 1, conn_id: '00000000-0000-4000-8000-000000000000' });
    assert.equal((unknown.body.data as { matched: number }).matched, 0);
  });

  await t.test('list on any replica shows every connection with its pod', async () => {
    for (const replica of replicas) {
      const { body } = await controlList(replica.gw.baseUrl);
      const users = body.data as ListedUser[];
      assert.deepEqual(users.map((u) => u.name), ['alice', 'bob']);
      const [listedAlice, listedBob] = users as [ListedUser, ListedUser];
      assert.equal(listedAlice.conns_number, 3);
      assert.deepEqual(
        listedAlice.conns.map((c) => `${c.id}@${c.pod}`).sort(),
        alice.map((c, i) => `${c.connId}@${replicas[i]!.pod}`).sort(),
      );
      assert.deepEqual(listedBob.public_conns.map((c) => `${c.id}@${c.pod}`), [`${bob.connId}@pod-b`]);
    }
  });

  await t.test('/stats stays per pod and adds the union across replicas', async () => {
    const podB = await waitUntil(async () => {
      const stats = await statsOf(replicas[1]!);
      return stats.backplane?.connections === 4 ? stats : undefined;
    }, { what: 'the union in /stats', timeoutMs: 5000 });
    assert.equal(podB.pod, 'pod-b');
    assert.equal(podB.connections, 2);
    assert.equal(podB.users, 2);
    assert.deepEqual(podB.backplane, { connected: true, replicas: 3, users: 2, connections: 4 });
    const podA = await statsOf(replicas[0]!);
    assert.equal(podA.connections, 1);
    assert.equal(podA.users, 1);
  });

  await t.test('close by user closes the user\'s connections on every replica, each close callback to its own replica\'s app', async () => {
    const answer = await controlPost(replicas[1]!.gw.baseUrl, 'close', { users: ['alice'] });
    assert.deepEqual(answer.body.data, { closed: 3, replicas: { answered: 3, missing: [] } });
    for (const [i, client] of alice.entries()) {
      assert.deepEqual(await client.closed, { code: 1000, reason: 'closed by app' });
      const callback = await closeCallbackOf(replicas[i]!.app, client.connId);
      assert.equal(callback.count, 1);
      assert.equal(callback.body.code, 1000);
      for (const [j, other] of replicas.entries()) {
        if (j !== i) assert.equal(other.callbacksOf(client.connId).length, 0, `replica ${other.pod} never saw ${replicas[i]!.pod}'s connection`);
      }
    }
    assert.equal(bob.socket.readyState, bob.socket.OPEN);
    await waitUntil(async () => {
      const users = (await controlList(replicas[2]!.gw.baseUrl)).body.data as ListedUser[];
      return users.length === 1 && users[0]!.name === 'bob';
    }, { what: 'list without the closed connections', timeoutMs: 5000 });
  });
});

test('1,000 invalid messages on the commands channel: skipped, logged as a counted line, not 1,000 warnings (F9)', async (t) => {
  const redis = await startRedisServer();
  t.after(() => redis.stop());
  const [replica] = await startReplicas(t, redis.url, ['pod-a'], { WS_LOG_LEVEL: 'info' });
  await waitForReplicas([replica!], 1);
  const { createClient } = await import('@redis/client');
  const publisher = createClient({ url: redis.url });
  publisher.on('error', () => undefined);
  await publisher.connect();
  const channel = `test:${process.pid}:commands`;
  try {
    for (let i = 0; i < 1000; i++) await publisher.publish(channel, `{"type":"explode","n":${i}}`);
  } finally {
    publisher.destroy();
  }
  await waitUntil(() => replica!.gw.logs.some((entry) => entry.code === 'GW_ERR_BACKPLANE_MESSAGE'), { what: 'the first invalid-message line', timeoutMs: 5000 });
  await sleep(500);
  assert.equal(await replica!.stopGateway(), 0);
  const lines = replica!.gw.logs.filter((entry) => entry.code === 'GW_ERR_BACKPLANE_MESSAGE');
  t.diagnostic(`1000 invalid messages → ${lines.length} lines: ${JSON.stringify(lines.map((line) => line.count))}`);
  assert.ok(lines.length <= 3, `${lines.length} lines`);
  assert.equal(lines.reduce((sum, line) => sum + Number(line.count), 0), 1000, JSON.stringify(lines));
});
