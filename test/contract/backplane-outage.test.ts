// A8 failures: Redis stopped (local delivery goes on, /readyz 503, answers name the missing replicas) and restarted (resumes, no gateway restart); a killed replica leaves list.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { controlList, controlPost } from '../support/control-api.ts';
import { startRedisServer } from '../support/redis-server.ts';
import { BACKPLANE_TEST_ENV, readyzOf, startReplicas, statsOf, waitForReplicas } from '../support/replicas.ts';
import type { StackClient } from '../support/stack.ts';
import { sleep, waitUntil } from '../support/wait.ts';

interface SendData {
  matched: number;
  sent: number;
  replicas?: { answered: number; missing: string[] };
  backplane?: string;
}

interface ListedUser {
  name: string;
  public_conns: { id: string; pod?: string }[];
}

test('Redis stopped and restarted: local delivery never stops, cross-replica delivery resumes by itself', async (t) => {
  const redis = await startRedisServer();
  t.after(() => redis.stop());
  const replicas = await startReplicas(t, redis.url, ['pod-a', 'pod-b', 'pod-c']);
  await waitForReplicas(replicas, 3);
  const alice: StackClient[] = [];
  for (const replica of replicas) alice.push(await replica.connect({ user: 'alice' }));

  await redis.stop();
  for (const replica of replicas) {
    const readyz = await waitUntil(async () => {
      const answer = await readyzOf(replica);
      return answer.status === 503 ? answer : undefined;
    }, { what: `${replica.pod} /readyz 503`, timeoutMs: 10000 });
    assert.deepEqual(readyz.body, { status: 'not ready', reason: 'backplane disconnected' });
  }

  const started = Date.now();
  const down = await controlPost(replicas[0]!.gw.baseUrl, 'send', { payload: 'while down', users: ['alice'] });
  assert.ok(Date.now() - started < 1000, 'the answer does not wait for Redis');
  assert.equal(down.status, 200);
  assert.deepEqual(down.body.data, { matched: 1, sent: 1, replicas: { answered: 1, missing: ['pod-b', 'pod-c'] }, backplane: 'unavailable' });
  await alice[0]!.waitForMessages(1, 5000);
  const direct = await controlPost(replicas[1]!.gw.baseUrl, 'send', { payload: 'direct while down', conn_id: alice[1]!.connId });
  assert.deepEqual(direct.body.data, { matched: 1, sent: 1, replicas: { answered: 1, missing: [] } });
  await alice[1]!.waitForMessages(1, 5000);
  const closeDown = await controlPost(replicas[2]!.gw.baseUrl, 'close', { users: ['nobody'] });
  assert.deepEqual(closeDown.body.data, { closed: 0, replicas: { answered: 1, missing: ['pod-a', 'pod-b'] }, backplane: 'unavailable' });
  await sleep(300);
  assert.deepEqual(alice.map((c) => c.received), [['"while down"'], ['"direct while down"'], []]);

  await redis.restart();
  // Same gateway processes: they reconnect, resubscribe and register their connections again.
  let attempt = 0;
  const resumed = await waitUntil(async () => {
    attempt++;
    const answer = await controlPost(replicas[0]!.gw.baseUrl, 'send', { payload: { attempt }, users: ['alice'] });
    const data = answer.body.data as SendData;
    return data.matched === 3 ? { attempt, data } : undefined;
  }, { what: 'a send that reaches all three replicas again', timeoutMs: 20000, intervalMs: 200 });
  assert.deepEqual(resumed.data, { matched: 3, sent: 3, replicas: { answered: 3, missing: [] } });
  const expected = JSON.stringify({ attempt: resumed.attempt });
  for (const client of alice) await waitUntil(() => client.received.includes(expected), { what: 'the resumed message', timeoutMs: 5000 });
  await sleep(300);
  for (const client of alice) assert.equal(client.received.filter((m) => m === expected).length, 1, 'exactly one copy');
  for (const replica of replicas) assert.equal((await readyzOf(replica)).status, 200);
  for (const replica of replicas) assert.equal(replica.gw.child.exitCode, null, `${replica.pod} was not restarted`);

  const listed = await waitUntil(async () => {
    const users = (await controlList(replicas[2]!.gw.baseUrl)).body.data as ListedUser[];
    return users[0]?.public_conns.length === 3 ? users[0] : undefined;
  }, { what: 'the re-registered connections in list', timeoutMs: 5000 });
  assert.deepEqual(listed.public_conns.map((c) => c.pod).sort(), ['pod-a', 'pod-b', 'pod-c']);
});

test('a SIGKILLed replica leaves list within three heartbeats', async (t) => {
  const heartbeatMs = Number(BACKPLANE_TEST_ENV.WS_BACKPLANE_HEARTBEAT_MS);
  const redis = await startRedisServer();
  t.after(() => redis.stop());
  const replicas = await startReplicas(t, redis.url, ['pod-a', 'pod-b', 'pod-c']);
  await waitForReplicas(replicas, 3);
  for (const replica of replicas) await replica.connect({ user: 'carol' });
  const podsListed = async () => {
    const users = (await controlList(replicas[0]!.gw.baseUrl)).body.data as ListedUser[];
    return (users[0]?.public_conns ?? []).map((c) => c.pod).sort();
  };
  assert.deepEqual(await podsListed(), ['pod-a', 'pod-b', 'pod-c']);

  replicas[2]!.gw.child.kill('SIGKILL');
  const killedAt = Date.now();
  await waitUntil(async () => (await podsListed()).length === 2, { what: 'pod-c gone from list', timeoutMs: 10000, intervalMs: 25 });
  const goneAfterMs = Date.now() - killedAt;
  // Bound: TTL = 3 heartbeats after pod-c's last heartbeat; a generous allowance for a busy 2-core machine.
  assert.ok(goneAfterMs <= 3 * heartbeatMs + 1500, `pod-c left list after ${goneAfterMs} ms`);
  assert.deepEqual(await podsListed(), ['pod-a', 'pod-b']);

  // Each replica refreshes its view of the others at its own heartbeat: wait for the one that will answer.
  for (const replica of replicas.slice(0, 2)) {
    await waitUntil(async () => (await statsOf(replica)).backplane?.replicas === 2, { what: 'pod-c gone from /stats', timeoutMs: 5000 });
  }
  const answer = await controlPost(replicas[1]!.gw.baseUrl, 'send', { payload: 'after', users: ['carol'] });
  assert.deepEqual(answer.body.data, { matched: 2, sent: 2, replicas: { answered: 2, missing: [] } });
});

test('Redis frozen (SIGSTOP): answers stay fast with local delivery, /readyz 503, then all back after SIGCONT, no duplicates (F4)', async (t) => {
  const timeoutMs = 700;
  const heartbeatMs = Number(BACKPLANE_TEST_ENV.WS_BACKPLANE_HEARTBEAT_MS);
  const redis = await startRedisServer();
  t.after(() => redis.stop());
  const replicas = await startReplicas(t, redis.url, ['pod-a', 'pod-b'], { WS_BACKPLANE_TIMEOUT_MS: String(timeoutMs) });
  const [a, b] = [replicas[0]!, replicas[1]!];
  await waitForReplicas(replicas, 2);
  const alice = [await a.connect({ user: 'alice' }), await b.connect({ user: 'alice' })];
  const before = await controlPost(a.gw.baseUrl, 'send', { payload: 'before', users: ['alice'] });
  assert.deepEqual(before.body.data, { matched: 2, sent: 2, replicas: { answered: 2, missing: [] } });

  redis.freeze();
  const frozenAt = Date.now();
  const timed = async <T>(call: () => Promise<T>): Promise<{ ms: number; value: T }> => {
    const started = Date.now();
    const value = await call();
    return { ms: Date.now() - started, value };
  };
  const answers: { what: string; ms: number }[] = [];
  for (let i = 0; i < 3; i++) {
    const sent = await timed(() => controlPost(a.gw.baseUrl, 'send', { payload: { frozen: i }, users: ['alice'] }));
    answers.push({ what: `send ${i}`, ms: sent.ms });
    assert.equal(sent.value.status, 200);
    assert.deepEqual(sent.value.body.data, { matched: 1, sent: 1, replicas: { answered: 1, missing: ['pod-b'] }, backplane: 'unavailable' }, `send ${i}`);
  }
  const closed = await timed(() => controlPost(b.gw.baseUrl, 'close', { users: ['nobody'] }));
  answers.push({ what: 'close', ms: closed.ms });
  assert.deepEqual(closed.value.body.data, { closed: 0, replicas: { answered: 1, missing: ['pod-a'] }, backplane: 'unavailable' });
  const listed = await timed(() => controlList(b.gw.baseUrl));
  answers.push({ what: 'list', ms: listed.ms });
  assert.equal(listed.value.status, 200);
  assert.deepEqual((listed.value.body.data as ListedUser[]).map((u) => u.public_conns.map((c) => c.pod)), [['pod-b']], 'list answers with the local connections');
  for (const answer of answers) assert.ok(answer.ms < 1500, `${answer.what} answered in ${answer.ms} ms while Redis is frozen`);
  await alice[0]!.waitForMessages(4, 5000);
  assert.deepEqual(alice[0]!.received.slice(1), ['{"frozen":0}', '{"frozen":1}', '{"frozen":2}'], 'local delivery went on at once');

  const notReadyAfter: number[] = [];
  for (const replica of replicas) {
    await waitUntil(async () => (await readyzOf(replica)).status === 503, { what: `${replica.pod} /readyz 503 while Redis is frozen`, timeoutMs: 10000, intervalMs: 25 });
    notReadyAfter.push(Date.now() - frozenAt);
  }
  assert.deepEqual((await readyzOf(a)).body, { status: 'not ready', reason: 'backplane disconnected' });
  // Detection bound: the next heartbeat's PING plus its timeout (and a margin for a busy 2-core machine).
  for (const ms of notReadyAfter) assert.ok(ms < 2 * heartbeatMs + timeoutMs + 1500, `/readyz 503 after ${ms} ms`);
  const down = await timed(() => controlPost(a.gw.baseUrl, 'send', { payload: 'known down', users: ['alice'] }));
  assert.ok(down.ms < 500, `once Redis is known to be down a send answers at once (${down.ms} ms)`);
  assert.equal((down.value.body.data as SendData).backplane, 'unavailable');
  assert.ok(a.gw.logs.some((entry) => entry.code === 'GW_ERR_BACKPLANE' && String(entry.msg).includes('stopped answering')), 'the teardown is logged');
  await sleep(1000);

  redis.thaw();
  const thawedAt = Date.now();
  for (const replica of replicas) {
    await waitUntil(async () => (await readyzOf(replica)).status === 200, { what: `${replica.pod} /readyz 200 after SIGCONT`, timeoutMs: 15000, intervalMs: 50 });
  }
  const readyAgainMs = Date.now() - thawedAt;
  let attempt = 0;
  const resumed = await waitUntil(async () => {
    attempt++;
    const answer = await controlPost(a.gw.baseUrl, 'send', { payload: { attempt }, users: ['alice'] });
    const data = answer.body.data as SendData;
    return data.matched === 2 ? { attempt, data } : undefined;
  }, { what: 'a send that reaches pod-b again', timeoutMs: 15000, intervalMs: 200 });
  assert.deepEqual(resumed.data, { matched: 2, sent: 2, replicas: { answered: 2, missing: [] } });
  const expected = JSON.stringify({ attempt: resumed.attempt });
  for (const client of alice) await waitUntil(() => client.received.includes(expected), { what: 'the resumed message', timeoutMs: 5000 });
  await sleep(500);
  for (const client of alice) {
    const texts = client.received.map(String);
    assert.equal(new Set(texts).size, texts.length, `no message arrived twice: ${JSON.stringify(texts)}`);
  }
  for (const replica of replicas) assert.equal(replica.gw.child.exitCode, null, `${replica.pod} was not restarted`);
  t.diagnostic(`frozen answers ${JSON.stringify(answers)}; /readyz 503 after ${JSON.stringify(notReadyAfter)} ms; once known down ${down.ms} ms; ready again ${readyAgainMs} ms after SIGCONT`);
});
