// The operator with a Redis backplane (SPEC A8, B4) on the local cluster: injected gateways get WS_REDIS_URL from a
// copy of the admin's Secret in their own namespace (never the URL itself in the pod spec) and a per-app prefix; a
// user with tabs on both replicas gets one copy of a message sent through either replica; the CR counts that user once;
// the copy goes away with the app's last WebSocketGateway.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startRedisServer, type RedisServer } from '../support/redis-server.ts';
import { startAppServer, type AppServer } from '../support/app-server.ts';
import { connect } from '../support/ws-client.ts';
import { controlPost } from '../support/control-api.ts';
import { parseGatewaySettings } from '../../operator/src/injection/gateway-settings.ts';
import { eventually, gatewayPath, getIfExists, type GatewayObject } from './operator-env.ts';
import { deployChatApp, startSamplingCluster, type GatewayPod, type SamplingCluster } from './sampling-env.ts';

const SECRET = 'tapr-ws-redis';
// The test calls the gateways' control API from outside their pods, so with the bearer token (SPEC A4).
const CONTROL_TOKEN = 'backplane-test-token';

interface SecretObject {
  metadata: { labels?: Record<string, string>; ownerReferences?: { kind: string; name: string }[] };
  data?: Record<string, string>;
}
type CountedGateway = GatewayObject & { status?: { connections?: number; users?: number } };

let redis: RedisServer;
let env: SamplingCluster;
let app: AppServer;
let namespace: string;
let pods: GatewayPod[];

before(async () => {
  env = await startSamplingCluster();
  // Gateways in pods reach the host at its pod-network address.
  redis = await startRedisServer({ host: env.cluster.controlPlane.network.hostIp });
  const parsed = parseGatewaySettings({ image: 'ghcr.io/tapr-ws/ws-gateway:test', env: { ...env.settings.env, WS_CONTROL_TOKEN: CONTROL_TOKEN }, redis: { url: redis.url, prefix: 'test:ws', secretRef: { name: SECRET, key: 'url' } } });
  if (!parsed.ok) throw new Error(parsed.error);
  const operator = await env.startOperator({ settings: parsed.settings, sampleIntervalMs: 500 });
  app = await startAppServer({ host: env.appHost });
  // A pod admitted before the Secret copy exists waits (CreateContainerConfigError) and starts once it is there.
  ({ namespace, pods } = await deployChatApp(env, operator, 'shop', app.port, 40_000));
  // /readyz is 200 once a gateway listens and its backplane is connected to Redis.
  for (const pod of pods) {
    await eventually(`${pod.metadata.name} ready with its backplane`, async () => ((await fetch(`http://${pod.status!.podIP!}:40010/readyz`)).ok ? true : undefined), 20_000);
  }
});

after(async () => {
  await app?.close();
  await env?.stop();
  await redis?.stop();
});

test('the pods reference the Secret copy in their namespace; the URL is in no pod spec', async () => {
  for (const pod of pods) {
    const gateway = pod.spec.initContainers?.find((container) => container.name === 'ws-gateway');
    const redisUrl = gateway?.env?.find((variable) => variable.name === 'WS_REDIS_URL');
    assert.deepEqual(redisUrl?.valueFrom?.secretKeyRef, { name: SECRET, key: 'url' });
    assert.equal(gateway?.env?.find((variable) => variable.name === 'WS_REDIS_PREFIX')?.value, `test:ws:${namespace}:chat`);
    assert.ok(!JSON.stringify(pod).includes(redis.url), 'the Redis URL must not appear in the pod');
  }
  const copy = await getIfExists<SecretObject>(env.api, `/api/v1/namespaces/${namespace}/secrets/${SECRET}`);
  assert.ok(copy, 'the operator copies the Secret into the app namespace');
  assert.equal(Buffer.from(copy.data?.url ?? '', 'base64').toString(), redis.url);
  assert.equal(copy.metadata.labels?.['app.kubernetes.io/managed-by'], 'tapr-ws-operator');
  assert.deepEqual(copy.metadata.ownerReferences?.map((owner) => `${owner.kind}/${owner.name}`), ['WebSocketGateway/chat']);
});

test('a user on both replicas gets one copy of a message sent through either, and is counted once', async () => {
  const [first, second] = pods.map((pod) => pod.status!.podIP!) as [string, string];
  const aliceOnFirst = await connect(`ws://${first}:40010/ws`, { headers: { 'X-Bfl-User': 'alice' } });
  const aliceOnSecond = await connect(`ws://${second}:40010/ws`, { headers: { 'X-Bfl-User': 'alice' } });
  const bob = await connect(`ws://${first}:40010/ws`, { headers: { 'X-Bfl-User': 'bob' } });
  try {
    await app.waitForCount((callback) => callback.body.action === 'open', 3, 10_000);
    let expected = 0;
    for (const [via, text] of [[second, 'from the second'], [first, 'from the first']] as const) {
      const answer = await controlPost(`http://${via}:40010`, 'send', { users: ['alice'], payload: { text } }, { authorization: `Bearer ${CONTROL_TOKEN}` });
      assert.equal(answer.status, 200, JSON.stringify(answer.body));
      expected += 1;
      await aliceOnFirst.waitForMessages(expected);
      await aliceOnSecond.waitForMessages(expected);
    }
    // A duplicate would have arrived by now: the last send went out after the first was delivered.
    await new Promise((resolve) => setTimeout(resolve, 300));
    for (const client of [aliceOnFirst, aliceOnSecond]) {
      assert.deepEqual(client.received.map((message) => JSON.parse(String(message)) as unknown), [{ text: 'from the second' }, { text: 'from the first' }]);
    }
    assert.equal(bob.received.length, 0);

    // Per pod alice would count twice (2 + 1 users); the backplane's distinct union counts alice and bob. The union
    // is recounted per heartbeat (5 s) and then sampled: this waits for both, and checks users never counted alice twice.
    const seenUsers = new Set<number | undefined>();
    await eventually('connections 3 and users 2', async () => {
      const gateway = await getIfExists<CountedGateway>(env.api, gatewayPath(namespace, 'chat'));
      if (gateway?.status?.connections === 3) seenUsers.add(gateway.status.users);
      return gateway?.status?.connections === 3 && gateway.status.users === 2 ? gateway : undefined;
    }, 15_000);
    assert.deepEqual([...seenUsers], [2]);
  } finally {
    for (const client of [aliceOnFirst, aliceOnSecond, bob]) client.socket.close(1000);
  }
});

test('deleting the Deployment removes its WebSocketGateway and then the Secret copy', async () => {
  await env.api.request({ method: 'DELETE', path: `/apis/apps/v1/namespaces/${namespace}/deployments/chat` });
  // The garbage collector finds a new CRD's objects at its next discovery (every 30 s): allow for one round.
  await eventually('the CR gone', async () => ((await getIfExists(env.api, gatewayPath(namespace, 'chat'))) === undefined ? true : undefined), 60_000);
  await eventually('the Secret copy gone', async () => ((await getIfExists(env.api, `/api/v1/namespaces/${namespace}/secrets/${SECRET}`)) === undefined ? true : undefined), 20_000);
});
