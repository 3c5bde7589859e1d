// Behaviour: Deployment → ReplicaSet → Pods (pod-template-hash, owner references), scale, rolling update, Recreate,
// deployment status, Endpoints following readiness, cascade deletion.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AppsV1Api, CoreV1Api, PatchStrategy, setHeaderOptions, type V1Deployment, type V1Pod } from '@kubernetes/client-node';
import { clusterUnderTest, eventually } from './support/cluster-under-test.ts';
import { FIXTURE_IMAGE, fixtureImages } from './support/fixture-images.ts';

const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

function deployment(name: string, replicas: number, extraEnv: { name: string; value: string }[] = [], strategy?: V1Deployment['spec'] extends infer S ? S extends { strategy?: infer X } ? X : never : never): V1Deployment {
  return {
    metadata: { name },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      ...(strategy === undefined ? {} : { strategy }),
      template: {
        metadata: { labels: { app: name } },
        spec: {
          terminationGracePeriodSeconds: 5,
          containers: [{
            name: 'app', image: FIXTURE_IMAGE, ports: [{ name: 'http', containerPort: 8080 }],
            env: [{ name: 'PORT', value: '8080' }, ...extraEnv],
            readinessProbe: { httpGet: { path: '/ready', port: 'http' }, periodSeconds: 1 },
          }],
        },
      },
    },
  };
}

async function podsOf(core: CoreV1Api, namespace: string, app: string): Promise<V1Pod[]> {
  return (await core.listNamespacedPod({ namespace, labelSelector: `app=${app}` })).items;
}

test('a Deployment gets a ReplicaSet named with the pod-template-hash and running pods with their own pod-network IPs', async (t) => {
  const { kc, namespace, faults } = await clusterUnderTest(t, { images: fixtureImages });
  if (faults === undefined) return t.skip('runs fixture processes on the local node agent');
  const apps = kc.makeApiClient(AppsV1Api);
  const core = kc.makeApiClient(CoreV1Api);
  const d = await apps.createNamespacedDeployment({ namespace, body: deployment('web', 2) });
  const ready = await eventually(async () => {
    const cur = await apps.readNamespacedDeployment({ name: 'web', namespace });
    return cur.status?.readyReplicas === 2 && cur.status.availableReplicas === 2 ? cur : undefined;
  }, 20_000);
  assert.equal(ready.status?.replicas, 2);
  assert.equal(ready.status?.updatedReplicas, 2);
  assert.equal(ready.status?.observedGeneration, ready.metadata?.generation);
  assert.equal(ready.status?.unavailableReplicas, undefined);
  const conditions = Object.fromEntries((ready.status?.conditions ?? []).map((c) => [c.type, c]));
  assert.equal(conditions.Available?.status, 'True');
  assert.equal(conditions.Available?.reason, 'MinimumReplicasAvailable');
  assert.equal(conditions.Progressing?.reason, 'NewReplicaSetAvailable');

  const rss = (await apps.listNamespacedReplicaSet({ namespace })).items;
  assert.equal(rss.length, 1);
  const rs = rss[0]!;
  const hash = rs.metadata?.labels?.['pod-template-hash'];
  assert.ok(hash !== undefined && hash !== '');
  assert.equal(rs.metadata?.name, `web-${hash}`);
  assert.deepEqual(rs.metadata?.ownerReferences?.map((r) => [r.kind, r.name, r.uid, r.controller]), [['Deployment', 'web', d.metadata!.uid!, true]]);
  assert.equal(rs.spec?.selector.matchLabels?.['pod-template-hash'], hash);
  assert.equal(rs.status?.readyReplicas, 2);

  const pods = await podsOf(core, namespace, 'web');
  assert.equal(pods.length, 2);
  for (const p of pods) {
    assert.ok(p.metadata?.name?.startsWith(`web-${hash}-`));
    assert.equal(p.metadata?.labels?.['pod-template-hash'], hash);
    assert.deepEqual(p.metadata?.ownerReferences?.map((r) => [r.kind, r.name, r.controller]), [['ReplicaSet', `web-${hash}`, true]]);
    assert.equal(p.spec?.nodeName, 'local-node');
    assert.equal(p.status?.phase, 'Running');
    assert.match(p.status?.podIP ?? '', /^198\.18\.\d+\.\d+$/, 'an address of the pod network (198.18.0.0/15, never routed out)');
    assert.equal(p.status?.containerStatuses?.[0]?.ready, true);
    assert.ok(p.status?.containerStatuses?.[0]?.state?.running !== undefined);
  }
  assert.notEqual(pods[0]!.status?.podIP, pods[1]!.status?.podIP);
  // The pod really serves on its own IP.
  const res = await fetch(`http://${pods[0]!.status!.podIP!}:8080/ready`);
  assert.equal(await res.text(), 'ok');
});

test('scaling a Deployment up and down changes its ReplicaSet and pods', async (t) => {
  const { kc, namespace, faults } = await clusterUnderTest(t, { images: fixtureImages });
  if (faults === undefined) return t.skip('runs fixture processes on the local node agent');
  const apps = kc.makeApiClient(AppsV1Api);
  const core = kc.makeApiClient(CoreV1Api);
  await apps.createNamespacedDeployment({ namespace, body: deployment('sc', 1) });
  await apps.patchNamespacedDeploymentScale({ name: 'sc', namespace, body: { spec: { replicas: 3 } } }, merge);
  await eventually(async () => ((await apps.readNamespacedDeployment({ name: 'sc', namespace })).status?.readyReplicas === 3 ? true : undefined), 20_000);
  assert.equal((await podsOf(core, namespace, 'sc')).length, 3);
  await apps.patchNamespacedDeployment({ name: 'sc', namespace, body: { spec: { replicas: 1 } } }, merge);
  await eventually(async () => ((await podsOf(core, namespace, 'sc')).length === 1 ? true : undefined), 20_000);
  const d = await eventually(async () => {
    const cur = await apps.readNamespacedDeployment({ name: 'sc', namespace });
    return cur.status?.replicas === 1 ? cur : undefined;
  });
  assert.equal(d.status?.availableReplicas, 1);
  assert.equal((await apps.listNamespacedReplicaSet({ namespace })).items.length, 1);
});

test('a template change rolls out a new ReplicaSet and scales the old one to zero without going below availability', async (t) => {
  const { kc, namespace, faults } = await clusterUnderTest(t, { images: fixtureImages });
  if (faults === undefined) return t.skip('runs fixture processes on the local node agent');
  const apps = kc.makeApiClient(AppsV1Api);
  const core = kc.makeApiClient(CoreV1Api);
  await apps.createNamespacedDeployment({ namespace, body: deployment('roll', 2, [], { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } }) });
  await eventually(async () => ((await apps.readNamespacedDeployment({ name: 'roll', namespace })).status?.availableReplicas === 2 ? true : undefined), 20_000);
  const oldPods = new Set((await podsOf(core, namespace, 'roll')).map((p) => p.metadata!.name!));
  const oldRs = (await apps.listNamespacedReplicaSet({ namespace })).items[0]!;

  let minReady = Infinity;
  let maxPods = 0;
  const sampler = setInterval(() => {
    void podsOf(core, namespace, 'roll').then((pods) => {
      const live = pods.filter((p) => p.metadata?.deletionTimestamp === undefined);
      maxPods = Math.max(maxPods, live.length);
      minReady = Math.min(minReady, live.filter((p) => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')).length);
    }, () => {});
  }, 50);
  t.after(() => clearInterval(sampler));
  await apps.patchNamespacedDeployment({ name: 'roll', namespace, body: { spec: { template: { spec: { containers: [{ name: 'app', image: FIXTURE_IMAGE, env: [{ name: 'PORT', value: '8080' }, { name: 'VERSION', value: '2' }] }] } } } } },
    setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch));
  const done = await eventually(async () => {
    const cur = await apps.readNamespacedDeployment({ name: 'roll', namespace });
    const reason = cur.status?.conditions?.find((c) => c.type === 'Progressing')?.reason;
    // The status must be about this generation: right after the patch it still describes the finished first rollout.
    const observed = cur.status?.observedGeneration === cur.metadata?.generation;
    return observed && cur.status?.updatedReplicas === 2 && cur.status.availableReplicas === 2 && cur.status.replicas === 2 && reason === 'NewReplicaSetAvailable' ? cur : undefined;
  }, 30_000);
  clearInterval(sampler);
  assert.equal(done.metadata?.annotations?.['deployment.kubernetes.io/revision'], '2');
  const rss = (await apps.listNamespacedReplicaSet({ namespace })).items;
  assert.equal(rss.length, 2);
  const old = rss.find((r) => r.metadata?.uid === oldRs.metadata?.uid)!;
  assert.equal(old.spec?.replicas, 0);
  const fresh = rss.find((r) => r.metadata?.uid !== oldRs.metadata?.uid)!;
  assert.equal(fresh.spec?.replicas, 2);
  const pods = await eventually(async () => {
    const ps = await podsOf(core, namespace, 'roll');
    return ps.length === 2 ? ps : undefined;
  }, 20_000);
  for (const p of pods) {
    assert.ok(!oldPods.has(p.metadata!.name!), 'every pod was replaced');
    assert.equal(p.spec?.containers[0]?.env?.find((e) => e.name === 'VERSION')?.value, '2');
  }
  assert.ok(minReady >= 2, `maxUnavailable 0 keeps 2 ready pods (saw ${minReady})`);
  assert.ok(maxPods <= 3, `maxSurge 1 allows at most 3 pods (saw ${maxPods})`);
});

test('Recreate removes the old pods before creating new ones', async (t) => {
  const { kc, namespace, faults } = await clusterUnderTest(t, { images: fixtureImages });
  if (faults === undefined) return t.skip('runs fixture processes on the local node agent');
  const apps = kc.makeApiClient(AppsV1Api);
  const core = kc.makeApiClient(CoreV1Api);
  await apps.createNamespacedDeployment({ namespace, body: deployment('rec', 2, [], { type: 'Recreate' }) });
  await eventually(async () => ((await apps.readNamespacedDeployment({ name: 'rec', namespace })).status?.availableReplicas === 2 ? true : undefined), 20_000);
  let mixed = false;
  const sampler = setInterval(() => {
    void podsOf(core, namespace, 'rec').then((pods) => {
      if (new Set(pods.map((p) => p.metadata?.labels?.['pod-template-hash'])).size > 1) mixed = true;
    }, () => {});
  }, 30);
  t.after(() => clearInterval(sampler));
  await apps.patchNamespacedDeployment({ name: 'rec', namespace, body: { spec: { template: { metadata: { labels: { app: 'rec', v: '2' } } } } } }, merge);
  await eventually(async () => {
    const cur = await apps.readNamespacedDeployment({ name: 'rec', namespace });
    const observed = cur.status?.observedGeneration === cur.metadata?.generation;
    return observed && cur.status?.updatedReplicas === 2 && cur.status.availableReplicas === 2 && cur.status.replicas === 2 ? true : undefined;
  }, 30_000);
  clearInterval(sampler);
  assert.equal(mixed, false, 'old and new pods never coexist');
  assert.ok((await podsOf(core, namespace, 'rec')).every((p) => p.metadata?.labels?.v === '2'));
});

test('Endpoints list ready pods as addresses and unready ones as notReadyAddresses, ports resolved by name', async (t) => {
  const { kc, namespace, faults } = await clusterUnderTest(t, { images: fixtureImages });
  if (faults === undefined) return t.skip('runs fixture processes on the local node agent');
  const apps = kc.makeApiClient(AppsV1Api);
  const core = kc.makeApiClient(CoreV1Api);
  await core.createNamespacedService({ namespace, body: { metadata: { name: 'ep' }, spec: { selector: { app: 'ep' }, ports: [{ name: 'web', port: 80, targetPort: 'http' }] } } });
  // FAIL_AFTER_MS: the readiness endpoint answers 500 after 3 s, so the pod goes from ready to not ready.
  await apps.createNamespacedDeployment({ namespace, body: deployment('ep', 1, [{ name: 'FAIL_AFTER_MS', value: '3000' }]) });
  const ready = await eventually(async () => {
    const ep = await core.readNamespacedEndpoints({ name: 'ep', namespace }).catch(() => undefined);
    return ep?.subsets?.[0]?.addresses?.length === 1 ? ep : undefined;
  }, 20_000);
  const pod = (await podsOf(core, namespace, 'ep'))[0]!;
  const address = ready.subsets![0]!.addresses![0]!;
  assert.equal(address.ip, pod.status?.podIP);
  assert.deepEqual([address.targetRef?.kind, address.targetRef?.name, address.targetRef?.uid], ['Pod', pod.metadata?.name, pod.metadata?.uid]);
  assert.deepEqual(ready.subsets![0]!.ports!.map((p) => [p.name, p.port, p.protocol]), [['web', 8080, 'TCP']]);
  const unready = await eventually(async () => {
    const ep = await core.readNamespacedEndpoints({ name: 'ep', namespace });
    return ep.subsets?.[0]?.notReadyAddresses?.length === 1 ? ep : undefined;
  }, 20_000);
  assert.equal(unready.subsets![0]!.addresses, undefined);
  assert.equal(unready.subsets![0]!.notReadyAddresses![0]!.ip, pod.status?.podIP);
  const d = await eventually(async () => {
    const cur = await apps.readNamespacedDeployment({ name: 'ep', namespace });
    return cur.status?.unavailableReplicas === 1 ? cur : undefined;
  });
  assert.equal(d.status?.conditions?.find((c) => c.type === 'Available')?.status, 'False');
  await core.deleteNamespacedService({ name: 'ep', namespace });
  await eventually(async () => ((await core.readNamespacedEndpoints({ name: 'ep', namespace }).then(() => true, () => false)) ? undefined : true));
});

test('deleting a Deployment removes its ReplicaSets and pods (their processes get SIGTERM)', async (t) => {
  const { kc, namespace, faults } = await clusterUnderTest(t, { images: fixtureImages });
  if (faults === undefined) return t.skip('runs fixture processes on the local node agent');
  const apps = kc.makeApiClient(AppsV1Api);
  const core = kc.makeApiClient(CoreV1Api);
  await apps.createNamespacedDeployment({ namespace, body: deployment('gone', 2) });
  await eventually(async () => ((await apps.readNamespacedDeployment({ name: 'gone', namespace })).status?.readyReplicas === 2 ? true : undefined), 20_000);
  const ips = (await podsOf(core, namespace, 'gone')).map((p) => p.status!.podIP!);
  await apps.deleteNamespacedDeployment({ name: 'gone', namespace });
  await eventually(async () => ((await apps.listNamespacedReplicaSet({ namespace })).items.length === 0 ? true : undefined), 20_000);
  await eventually(async () => ((await podsOf(core, namespace, 'gone')).length === 0 ? true : undefined), 20_000);
  for (const ip of ips) await assert.rejects(fetch(`http://${ip}:8080/ready`), 'the process no longer listens');
});
