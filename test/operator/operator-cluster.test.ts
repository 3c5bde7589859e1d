// The operator against the local cluster: CR, Service and conditions per opted-in Deployment, manifest Events,
// injection at pod admission, opting out, and convergence after dropped watches, a forced 410 and a burst of 500s.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { isApiError } from '../../operator/src/kube/api-client.ts';
import {
  condition, createDeployment, createManifest, createNamespace, eventually, gatewayPath, getIfExists, manifestText, startOperatorEnv,
  uniqueName, type GatewayObject, type OperatorEnv,
} from './operator-env.ts';

let env: OperatorEnv;

before(async () => {
  env = await startOperatorEnv();
});

after(async () => {
  await env.stop();
});

interface EventObject {
  type: string;
  reason: string;
  message: string;
  involvedObject: { kind: string; name: string };
}

async function warningsFor(namespace: string, deployment: string): Promise<EventObject[]> {
  const list = await env.api.request<{ items: EventObject[] }>({ method: 'GET', path: `/api/v1/namespaces/${namespace}/events` });
  return list.items.filter((event) => event.type === 'Warning' && event.involvedObject.kind === 'Deployment' && event.involvedObject.name === deployment);
}

async function eventsFor(namespace: string, deployment: string): Promise<EventObject[]> {
  const list = await env.api.request<{ items: EventObject[] }>({ method: 'GET', path: `/api/v1/namespaces/${namespace}/events` });
  return list.items.filter((event) => event.involvedObject.kind === 'Deployment' && event.involvedObject.name === deployment);
}

async function appNamespace(): Promise<string> {
  const namespace = uniqueName('app');
  await createNamespace(env.api, namespace);
  return namespace;
}

test('an opted-in Deployment gets its WebSocketGateway (owner reference, spec), the -ws Service and ManifestValid=True', async () => {
  assert.equal(env.operator.isReady(), true, 'caches synced and certificate loaded');
  const namespace = await appNamespace();
  await createManifest(env.api, namespace, 'chat-manifest', manifestText({ url: '/ws/message', port: 8888 }));
  const deployment = await createDeployment(env.api, namespace, 'chat', 'chat-manifest');
  const gateway = await eventually('the CR with ManifestValid=True', async () => {
    const found = await getIfExists<GatewayObject>(env.api, gatewayPath(namespace, 'chat'));
    return condition(found, 'ManifestValid')?.status === 'True' ? found : undefined;
  });
  assert.deepEqual(gateway.metadata.ownerReferences, [{
    apiVersion: 'apps/v1', kind: 'Deployment', name: 'chat', uid: deployment.metadata.uid, controller: true, blockOwnerDeletion: true,
  }]);
  assert.deepEqual(gateway.spec, {
    deploymentName: 'chat', manifest: { configMapName: 'chat-manifest', key: 'OlaresManifest.yaml' }, websocket: { url: '/ws/message', port: 8888 },
  });
  assert.equal(gateway.status?.observedGeneration, gateway.metadata.generation);
  assert.equal(condition(gateway, 'Injected')?.reason, 'NoPods');
  const service = await eventually('the -ws Service', () => getIfExists<{
    metadata: { ownerReferences?: { kind: string; name: string; uid: string; controller?: boolean }[] };
    spec: { selector: Record<string, string>; ports: { name: string; port: number; targetPort: number }[] };
  }>(env.api, `/api/v1/namespaces/${namespace}/services/chat-ws`));
  assert.deepEqual(service.spec.selector, { app: 'chat' });
  assert.deepEqual(service.spec.ports.map(({ name, port, targetPort }) => ({ name, port, targetPort })), [{ name: 'ws', port: 40010, targetPort: 40010 }]);
  assert.deepEqual(service.metadata.ownerReferences?.map(({ kind, name, uid, controller }) => ({ kind, name, uid, controller })), [
    { kind: 'WebSocketGateway', name: 'chat', uid: gateway.metadata.uid, controller: true },
  ]);
  // Another reconcile of an unchanged state writes nothing: status goes through /status only when it changed.
  const settled = await getIfExists<GatewayObject & { metadata: { resourceVersion: string } }>(env.api, gatewayPath(namespace, 'chat'));
  const reconcilesBefore = env.operator.counters.reconciles;
  await env.api.request({
    method: 'PATCH', path: `/apis/apps/v1/namespaces/${namespace}/deployments/chat`, patchType: 'merge',
    body: { metadata: { annotations: { touched: 'yes' } } },
  });
  await eventually('another reconcile', () => (env.operator.counters.reconciles > reconcilesBefore ? true : undefined));
  await new Promise((resolve) => setTimeout(resolve, 200));
  const again = await getIfExists<GatewayObject & { metadata: { resourceVersion: string } }>(env.api, gatewayPath(namespace, 'chat'));
  assert.equal(again?.metadata.resourceVersion, settled?.metadata.resourceVersion);
});

test('an invalid port in the manifest: ManifestValid=False naming the field, websocket dropped from the spec, one Warning Event', async () => {
  const namespace = await appNamespace();
  await createManifest(env.api, namespace, 'm', manifestText({ url: '/ws', port: 8888 }));
  // Informers are separate streams: the ConfigMap must be cached first, or a ManifestMissing Warning comes first.
  await eventually('the ConfigMap in the operator cache', () => env.operator.informers.configMaps.get(namespace, 'm'));
  await createDeployment(env.api, namespace, 'web', 'm');
  await eventually('ManifestValid=True', async () => {
    const found = await getIfExists<GatewayObject>(env.api, gatewayPath(namespace, 'web'));
    return condition(found, 'ManifestValid')?.status === 'True' ? found : undefined;
  });
  await env.api.request({
    method: 'PATCH', path: `/api/v1/namespaces/${namespace}/configmaps/m`, patchType: 'merge',
    body: { data: { 'OlaresManifest.yaml': manifestText({ url: '/ws', port: 70000 }) } },
  });
  const gateway = await eventually('ManifestValid=False', async () => {
    const found = await getIfExists<GatewayObject>(env.api, gatewayPath(namespace, 'web'));
    return condition(found, 'ManifestValid')?.status === 'False' ? found : undefined;
  });
  const manifestValid = condition(gateway, 'ManifestValid')!;
  assert.equal(manifestValid.reason, 'ManifestInvalid');
  assert.match(manifestValid.message, /^options\.websocket\.port: /);
  assert.equal(gateway.spec.websocket, undefined);
  const warnings = await eventually('the Warning Event', async () => {
    const found = await warningsFor(namespace, 'web');
    return found.length > 0 ? found : undefined;
  });
  assert.equal(warnings[0]!.reason, 'ManifestInvalid');
  assert.match(warnings[0]!.message, /options\.websocket\.port/);
  // More reconciles of the same state (a Deployment annotation triggers one) emit no further Event.
  const reconcilesBefore = env.operator.counters.reconciles;
  await env.api.request({
    method: 'PATCH', path: `/apis/apps/v1/namespaces/${namespace}/deployments/web`, patchType: 'merge',
    body: { metadata: { annotations: { touched: 'yes' } } },
  });
  await eventually('another reconcile', () => (env.operator.counters.reconciles > reconcilesBefore ? true : undefined));
  await new Promise((resolve) => setTimeout(resolve, 300));
  assert.equal((await warningsFor(namespace, 'web')).length, 1, 'Events on transitions only');
});

test('a pod with the label is injected at admission: ws-gateway native sidecar and the tapr.io/injected annotation', async () => {
  const namespace = await appNamespace();
  await createManifest(env.api, namespace, 'chat-manifest', manifestText({ url: '/ws/message', port: 8888 }));
  const deployment = await createDeployment(env.api, namespace, 'chat', 'chat-manifest');
  await eventually('the ConfigMap in the operator cache', () => env.operator.informers.configMaps.get(namespace, 'chat-manifest'));
  const pod = await env.api.request<{
    metadata: { annotations?: Record<string, string> };
    spec: { containers: { name: string }[]; initContainers?: { name: string; restartPolicy?: string; image: string; env?: { name: string; value?: string }[] }[] };
  }>({
    method: 'POST',
    path: `/api/v1/namespaces/${namespace}/pods`,
    body: {
      apiVersion: 'v1', kind: 'Pod',
      metadata: {
        name: 'chat-0',
        labels: { app: 'chat', 'tapr.io/manifest': 'chat-manifest' },
        // Controlled by the Deployment itself, so a ReplicaSet controller (replicas: 0) never adopts or removes it.
        ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'chat', uid: deployment.metadata.uid, controller: true }],
      },
      spec: { containers: [{ name: 'app', image: 'chat:1', ports: [{ containerPort: 8888 }] }] },
    },
  });
  assert.deepEqual(pod.spec.containers.map((container) => container.name), ['app']);
  const gateway = pod.spec.initContainers?.find((container) => container.name === 'ws-gateway');
  assert.ok(gateway, `no ws-gateway in ${JSON.stringify(pod.spec)}`);
  assert.equal(gateway.restartPolicy, 'Always');
  assert.equal(gateway.image, 'tapr/ws-gateway:test');
  assert.deepEqual(gateway.env?.filter((variable) => ['WS_PORT', 'WS_URL'].includes(variable.name)), [
    { name: 'WS_PORT', value: '8888' }, { name: 'WS_URL', value: '/ws/message' },
  ]);
  assert.match(pod.metadata.annotations?.['tapr.io/injected'] ?? '', /^\S+$/);
  // The Deployment's status counts the pod (its selector matches) from the caches: injected, current, not yet sampled.
  const gatewayCr = await eventually('the pod in the status', async () => {
    const found = await getIfExists<GatewayObject & { status?: { injectedReplicas?: number; outdatedReplicas?: number } }>(env.api, gatewayPath(namespace, 'chat'));
    return found?.status?.injectedReplicas === 1 ? found : undefined;
  });
  assert.equal(gatewayCr.status?.replicas, 1);
  assert.equal(gatewayCr.status?.outdatedReplicas, 0, 'the webhook and the reconciler agree on the configHash');
  assert.equal(condition(gatewayCr, 'Injected')?.status, 'True');
  assert.equal(condition(gatewayCr, 'Ready')?.reason, 'GatewaysNotReady');
  assert.match(condition(gatewayCr, 'Ready')?.message ?? '', /chat-0 \(not sampled yet\)/);
});

test('a pod whose manifest is invalid (or missing) is admitted unchanged', async () => {
  const namespace = await appNamespace();
  await createManifest(env.api, namespace, 'bad', manifestText({ url: 'no-slash', port: 8888 }));
  await eventually('the ConfigMap in the operator cache', () => env.operator.informers.configMaps.get(namespace, 'bad'));
  const admissionsBefore = env.operator.counters.admissions;
  for (const [name, manifest] of [['bad-0', 'bad'], ['missing-0', 'does-not-exist']] as const) {
    const pod = await env.api.request<{ metadata: { annotations?: Record<string, string> }; spec: { containers: { name: string }[]; initContainers?: unknown[] } }>({
      method: 'POST',
      path: `/api/v1/namespaces/${namespace}/pods`,
      body: {
        apiVersion: 'v1', kind: 'Pod',
        metadata: { name, labels: { 'tapr.io/manifest': manifest } },
        spec: { containers: [{ name: 'app', image: 'chat:1' }] },
      },
    });
    assert.deepEqual(pod.spec.containers.map((container) => container.name), ['app']);
    assert.equal(pod.spec.initContainers, undefined);
    assert.equal(pod.metadata.annotations?.['tapr.io/injected'], undefined);
  }
  assert.equal(env.operator.counters.admissions - admissionsBefore, 2, 'both pods went through the webhook');
});

test('a url with non-ASCII or control characters: ManifestValid=False naming options.websocket.url, and its pods are not injected (F6)', async () => {
  const namespace = await appNamespace();
  // YAML double quotes: a zero-width space and a NUL as escapes; the Cyrillic path as it is.
  const urls = [['cyrillic', '/ws/чат', /a non-ASCII character U\+0447 at position 5/], ['zero-width', '"/ws\\u200b"', /U\+200B at position 4/], ['nul', '"/ws\\0"', /a control character U\+0000 at position 4/]] as const;
  for (const [name, url, named] of urls) {
    await createManifest(env.api, namespace, name, manifestText({ url, port: 8888 }));
    await eventually('the ConfigMap in the operator cache', () => env.operator.informers.configMaps.get(namespace, name));
    await createDeployment(env.api, namespace, name, name);
    const gateway = await eventually(`ManifestValid=False for ${name}`, async () => {
      const found = await getIfExists<GatewayObject>(env.api, gatewayPath(namespace, name));
      return condition(found, 'ManifestValid')?.status === 'False' ? found : undefined;
    });
    const manifestValid = condition(gateway, 'ManifestValid')!;
    assert.equal(manifestValid.reason, 'ManifestInvalid');
    assert.match(manifestValid.message, /^options\.websocket\.url: expected "\/" then printable ASCII \(0x21-0x7E\) or %XX escapes; /);
    assert.match(manifestValid.message, named);
    assert.equal(gateway.spec.websocket, undefined, 'nothing of the url reaches the CR');
    const pod = await env.api.request<{ spec: { initContainers?: unknown[] } }>({
      method: 'POST', path: `/api/v1/namespaces/${namespace}/pods`,
      body: { apiVersion: 'v1', kind: 'Pod', metadata: { name: `${name}-0`, labels: { 'tapr.io/manifest': name } }, spec: { containers: [{ name: 'app', image: 'chat:1' }] } },
    });
    assert.equal(pod.spec.initContainers, undefined, `${name}: admitted unchanged`);
  }
});

test('a Deployment applied with its ConfigMap (the Deployment first): no transient ManifestMissing Warning, no Event at all (F16)', async () => {
  const namespace = await appNamespace();
  await Promise.all([
    createDeployment(env.api, namespace, 'together', 'together-manifest'),
    new Promise((resolve) => setTimeout(resolve, 50)).then(() => createManifest(env.api, namespace, 'together-manifest', manifestText({ url: '/ws', port: 8888 }))),
  ]);
  await eventually('ManifestValid=True', async () => {
    const found = await getIfExists<GatewayObject>(env.api, gatewayPath(namespace, 'together'));
    return condition(found, 'ManifestValid')?.status === 'True' ? found : undefined;
  });
  // Past the grace period (5 s) and its recheck.
  await new Promise((resolve) => setTimeout(resolve, 6000));
  assert.deepEqual((await eventsFor(namespace, 'together')).map((event) => `${event.type}/${event.reason}`), []);
});

test('a ConfigMap that stays missing: one ManifestMissing Warning after the grace period; once it exists, one Normal event (F16)', async () => {
  const namespace = await appNamespace();
  const createdAt = Date.now();
  await createDeployment(env.api, namespace, 'late', 'late-manifest');
  await eventually('ManifestValid=False/ManifestMissing', async () => {
    const found = await getIfExists<GatewayObject>(env.api, gatewayPath(namespace, 'late'));
    return condition(found, 'ManifestValid')?.reason === 'ManifestMissing' ? found : undefined;
  });
  const warnings = await eventually('the ManifestMissing Warning', async () => {
    const found = await warningsFor(namespace, 'late');
    return found.length > 0 ? found : undefined;
  }, 20_000);
  const warnedAfter = Date.now() - createdAt;
  assert.ok(warnedAfter >= 4500, `the Warning came ${warnedAfter} ms after the Deployment, within the 5 s grace period`);
  assert.deepEqual(warnings.map((event) => event.reason), ['ManifestMissing']);
  assert.match(warnings[0]!.message, /late-manifest/);
  await createManifest(env.api, namespace, 'late-manifest', manifestText({ url: '/ws', port: 8888 }));
  await eventually('ManifestValid=True', async () => {
    const found = await getIfExists<GatewayObject>(env.api, gatewayPath(namespace, 'late'));
    return condition(found, 'ManifestValid')?.status === 'True' ? found : undefined;
  });
  // More reconciles of the same state: still one of each.
  await env.api.request({
    method: 'PATCH', path: `/apis/apps/v1/namespaces/${namespace}/deployments/late`, patchType: 'merge', body: { metadata: { annotations: { touched: 'yes' } } },
  });
  await new Promise((resolve) => setTimeout(resolve, 1500));
  assert.deepEqual((await eventsFor(namespace, 'late')).map((event) => `${event.type}/${event.reason}`).sort(), ['Normal/ManifestValid', 'Warning/ManifestMissing']);
});

test('a pod carrying the Olares sidecar is reported as such: Injected=False/OlaresSidecarPresent (F16)', async () => {
  const namespace = await appNamespace();
  await createManifest(env.api, namespace, 'olares-manifest', manifestText({ url: '/ws', port: 8888 }));
  await eventually('the ConfigMap in the operator cache', () => env.operator.informers.configMaps.get(namespace, 'olares-manifest'));
  const deployment = await createDeployment(env.api, namespace, 'olares', 'olares-manifest');
  await env.api.request({
    method: 'POST', path: `/api/v1/namespaces/${namespace}/pods`,
    body: {
      apiVersion: 'v1', kind: 'Pod',
      metadata: {
        name: 'olares-0', labels: { app: 'olares', 'tapr.io/manifest': 'olares-manifest' },
        ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'olares', uid: deployment.metadata.uid, controller: true }],
      },
      spec: { containers: [{ name: 'app', image: 'chat:1' }, { name: 'olares-ws-sidecar', image: 'olares/ws:1' }] },
    },
  });
  const gateway = await eventually('Injected with the Olares reason', async () => {
    const found = await getIfExists<GatewayObject>(env.api, gatewayPath(namespace, 'olares'));
    return condition(found, 'Injected')?.reason === 'OlaresSidecarPresent' ? found : undefined;
  });
  const injected = condition(gateway, 'Injected')!;
  assert.equal(injected.status, 'False');
  assert.equal(injected.message, '0/1 pods carry the gateway; 1 carries the Olares sidecar olares-ws-sidecar instead (left alone): olares-0');
});

test('a Deployment that stops opting in loses its WebSocketGateway and Service', async () => {
  const namespace = await appNamespace();
  await createManifest(env.api, namespace, 'm', manifestText({ url: '/ws', port: 8888 }));
  await createDeployment(env.api, namespace, 'quit', 'm');
  await eventually('the CR', () => getIfExists(env.api, gatewayPath(namespace, 'quit')));
  await env.api.request({
    method: 'PATCH', path: `/apis/apps/v1/namespaces/${namespace}/deployments/quit`, patchType: 'json',
    body: [{ op: 'remove', path: '/spec/template/metadata/labels/tapr.io~1manifest' }],
  });
  await eventually('the CR to be gone', async () => ((await getIfExists(env.api, gatewayPath(namespace, 'quit'))) === undefined ? true : undefined));
  await eventually('the Service to be gone', async () => (
    (await getIfExists(env.api, `/api/v1/namespaces/${namespace}/services/quit-ws`)) === undefined ? true : undefined));
});

test('deleting the Deployment removes its WebSocketGateway and Service (owner references)', async () => {
  const namespace = await appNamespace();
  await createManifest(env.api, namespace, 'm', manifestText({ url: '/ws', port: 8888 }));
  await createDeployment(env.api, namespace, 'gone', 'm');
  await eventually('the Service', () => getIfExists(env.api, `/api/v1/namespaces/${namespace}/services/gone-ws`));
  await env.api.request({ method: 'DELETE', path: `/apis/apps/v1/namespaces/${namespace}/deployments/gone` });
  // The garbage collector finds a new CRD's objects at its next discovery (every 30 s): allow for one round.
  await eventually('the CR to be gone', async () => ((await getIfExists(env.api, gatewayPath(namespace, 'gone'))) === undefined ? true : undefined), 60_000);
  await eventually('the Service to be gone', async () => (
    (await getIfExists(env.api, `/api/v1/namespaces/${namespace}/services/gone-ws`)) === undefined ? true : undefined));
});

test('dropped watches, a forced 410 and a burst of 500s: the state still converges', async () => {
  const namespace = await appNamespace();
  await createManifest(env.api, namespace, 'm', manifestText({ url: '/ws', port: 8888 }));
  const listsBefore = env.operator.informers.deployments.stats.lists;
  // Changes made while the watches are stalled, then history compacted and every watch dropped: resuming fails with 410.
  env.cluster.faults.stallWatches(true);
  await createDeployment(env.api, namespace, 'after-410', 'm');
  await env.cluster.faults.compactHistory();
  env.cluster.faults.dropAllWatches();
  env.cluster.faults.stallWatches(false);
  await eventually('the CR after the relist', () => getIfExists(env.api, gatewayPath(namespace, 'after-410')));
  assert.ok(env.operator.informers.deployments.stats.lists > listsBefore, 'the Deployment informer relisted');
  assert.ok(env.operator.informers.deployments.stats.expired > 0, 'after a 410');
  // A burst of 500s, with every watch dropped: watches, lists and writes (the test's own create too) meet them.
  env.cluster.faults.dropAllWatches();
  env.cluster.faults.failNext(10, 500);
  for (let attempt = 1; ; attempt += 1) {
    try {
      await createDeployment(env.api, namespace, 'after-500s', 'm');
      break;
    } catch (error) {
      // The 10 failures are shared with the operator's own requests: at most 10 of ours can meet them.
      if (!isApiError(error, 500) || attempt > 10) throw error;
    }
  }
  const gateway = await eventually('the CR after 500s', async () => {
    const found = await getIfExists<GatewayObject>(env.api, gatewayPath(namespace, 'after-500s'));
    return condition(found, 'ManifestValid')?.status === 'True' ? found : undefined;
  });
  assert.equal(gateway.spec.websocket?.port, 8888);
});
