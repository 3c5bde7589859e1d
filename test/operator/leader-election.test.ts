// Leader election between operator replicas on the local cluster (SPEC B5): exactly one leads and only it reconciles;
// a leader that dies without releasing is replaced within the lease duration (plus one retry period); a leader that
// stops cleanly releases the Lease and is replaced at once; every replica keeps serving the webhook.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { RunningOperator } from '../../operator/src/start-operator.ts';
import type { LeaseSpec } from '../../operator/src/leader/lease-decision.ts';
import { createManifest, createNamespace, eventually, gatewayPath, getIfExists, manifestText, OPERATOR_NAMESPACE, uniqueName } from './operator-env.ts';
import { startSamplingCluster, type SamplingCluster } from './sampling-env.ts';

const LEASE_SECONDS = 2;
const LEASE_PATH = `/apis/coordination.k8s.io/v1/namespaces/${OPERATOR_NAMESPACE}/leases/tapr-ws-operator`;

let env: SamplingCluster;
let lastLeader: RunningOperator | undefined;

before(async () => {
  env = await startSamplingCluster();
});

after(async () => {
  await env?.stop();
});

async function replica(identity: string): Promise<RunningOperator> {
  return await env.startOperator({
    leaderElection: { namespace: OPERATOR_NAMESPACE, name: 'tapr-ws-operator', identity, leaseDurationSeconds: LEASE_SECONDS },
    // Out of cluster each replica registers a URL to itself: separate configurations keep them from rewriting each other's.
    webhookConfigurationName: `tapr-ws-operator-${identity}`,
    sampleIntervalMs: 500,
  });
}

async function lease(): Promise<LeaseSpec | undefined> {
  return (await getIfExists<{ spec?: LeaseSpec }>(env.api, LEASE_PATH))?.spec;
}

/** Creates an opted-in Deployment (no pods) and waits for its WebSocketGateway: only a leader creates it. */
async function reconciledDeployment(namespace: string, name: string): Promise<void> {
  await env.api.request({
    method: 'POST', path: `/apis/apps/v1/namespaces/${namespace}/deployments`,
    body: {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name },
      spec: {
        replicas: 0, selector: { matchLabels: { app: name } },
        template: { metadata: { labels: { app: name, 'tapr.io/manifest': 'm' } }, spec: { containers: [{ name: 'app', image: 'none:1' }] } },
      },
    },
  });
  await eventually(`the WebSocketGateway ${name}`, () => getIfExists(env.api, gatewayPath(namespace, name)), 10_000);
}

test('two replicas: one leader; killed, the other takes over within the lease; stopped cleanly, at once', async (t) => {
  const namespace = uniqueName('app');
  await createNamespace(env.api, namespace);
  await createManifest(env.api, namespace, 'm', manifestText({ url: '/ws', port: 8888 }));
  const a = await replica('replica-a');
  const b = await replica('replica-b');
  const leader = await eventually('a leader', () => (a.isLeader() ? a : b.isLeader() ? b : undefined), 10_000);
  const follower = leader === a ? b : a;
  const leaderName = leader === a ? 'replica-a' : 'replica-b';
  // Several retry periods later, still exactly one leader, and the Lease names it.
  for (let i = 0; i < 8; i++) {
    assert.equal(Number(a.isLeader()) + Number(b.isLeader()), 1, 'exactly one leader');
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  assert.equal((await lease())?.holderIdentity, leaderName);
  assert.equal((await lease())?.leaseDurationSeconds, LEASE_SECONDS);
  assert.equal(leader.isReady() && follower.isReady(), true, 'both replicas serve the webhook');
  await reconciledDeployment(namespace, 'first');

  // The leader dies without releasing (its loop stops; the Lease keeps naming it until it expires).
  await leader.leaderElector!.stop({ release: false });
  const killedAt = Date.now();
  await eventually('the follower leading', () => (follower.isLeader() ? true : undefined), 10_000);
  const takeover = Date.now() - killedAt;
  t.diagnostic(`takeover after a killed leader: ${takeover} ms (lease ${LEASE_SECONDS} s)`);
  // Expiry is measured from the follower's last observation of a renewal, then it tries every lease/3.
  assert.ok(takeover <= LEASE_SECONDS * 1000 + 1500, `took over after ${takeover} ms`);
  assert.equal(leader.isLeader(), false);
  const taken = await lease();
  assert.equal(taken?.holderIdentity, follower === a ? 'replica-a' : 'replica-b');
  assert.equal(taken?.leaseTransitions, 1);
  // The new leader reconciles (its first act is to enqueue every cached Deployment).
  await reconciledDeployment(namespace, 'second');

  // A third replica waits; the leader stops cleanly, releases the Lease, and the third takes over well within the lease.
  const c = await replica('replica-c');
  await new Promise((resolve) => setTimeout(resolve, 700));
  assert.equal(c.isLeader(), false);
  const stoppedAt = Date.now();
  await follower.stop();
  await eventually('replica-c leading', () => (c.isLeader() ? true : undefined), 10_000);
  const handover = Date.now() - stoppedAt;
  t.diagnostic(`handover after a clean stop: ${handover} ms`);
  assert.ok(handover < LEASE_SECONDS * 1000, `handed over after ${handover} ms`);
  assert.equal((await lease())?.holderIdentity, 'replica-c');
  assert.equal((await lease())?.leaseTransitions, 2);
  await reconciledDeployment(namespace, 'third');
  lastLeader = c;
});

test('a leader whose renewals fail gives leadership up before its lease could expire, and leads again afterwards', async (t) => {
  const leader = lastLeader ?? await replica('replica-d');
  await eventually('a leader', () => (leader.isLeader() ? true : undefined), 10_000);
  const holder = (await lease())?.holderIdentity;
  // Every API request fails (the leader's renewals among them) until the failures are turned off below.
  env.cluster.faults.failNext(10_000, 500);
  t.after(() => env.cluster.faults.failNext(0, 500));
  const failingAt = Date.now();
  await eventually('leadership given up', () => (leader.isLeader() ? undefined : true), 10_000);
  const gaveUp = Date.now() - failingAt;
  t.diagnostic(`gave up leadership ${gaveUp} ms after renewals started failing (renew deadline ${Math.round(LEASE_SECONDS * 2000 / 3)} ms)`);
  // Its last renewal was at most one retry period before the failures: it stops within the renew deadline of that,
  // so before the lease duration after which another replica may take over.
  assert.ok(gaveUp < LEASE_SECONDS * 1000, `gave up after ${gaveUp} ms`);
  // failNext replaces the pending count: 0 ends the failures.
  env.cluster.faults.failNext(0, 500);
  await eventually('leading again once the API answers', () => (leader.isLeader() ? true : undefined), 10_000);
  assert.equal((await lease())?.holderIdentity, holder);
});
