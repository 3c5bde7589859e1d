// Behaviour: admission webhooks over TLS — a mutating webhook (url and Service) that adds a container to labelled pods,
// objectSelector, failurePolicy Fail/Ignore, timeouts, caBundle checks, validating denials, warnings, subresources,
// DELETE reviews and configuration defaults/validation. Local only: another cluster cannot reach a webhook on this machine.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { AdmissionregistrationV1Api, CoreV1Api, type KubeConfig, type V1MutatingWebhookConfiguration, type V1ValidatingWebhookConfiguration } from '@kubernetes/client-node';
import { clusterUnderTest, eventually, expectStatus, rawRequest } from './support/cluster-under-test.ts';
import { startWebhookServer, type WebhookServer } from './support/webhook-server.ts';

const PODS_CREATE = [{ operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['pods'] }];

/** `behindService`: the webhook listens on the pod network's host address (Endpoints may not name loopback). */
async function setup(t: TestContext, dnsNames: string[] = [], behindService = false): Promise<{ kc: KubeConfig; namespace: string; hook: WebhookServer } | undefined> {
  const { kc, namespace, podNetworkHostIp } = await clusterUnderTest(t);
  if (podNetworkHostIp === undefined) {
    t.skip('another cluster cannot call a webhook on this machine');
    return undefined;
  }
  const hook = await startWebhookServer({
    dnsNames: dnsNames.map((d) => d.replace('$NS', namespace)), ...(behindService ? { host: podNetworkHostIp } : {}),
  });
  t.after(() => hook.close());
  return { kc, namespace, hook };
}

function pod(name: string, labels: Record<string, string> = {}): { metadata: { name: string; labels: Record<string, string> }; spec: { containers: { name: string; image: string }[] } } {
  return { metadata: { name, labels }, spec: { containers: [{ name: 'app', image: 'example/app:1' }] } };
}

const addSidecar = [{ op: 'add', path: '/spec/containers/-', value: { name: 'ws-gateway', image: 'tapr/ws-gateway:1' } }];

test('a mutating webhook (url, objectSelector tapr.io/manifest, failurePolicy Ignore) adds a container to labelled pods', async (t) => {
  const s = await setup(t);
  if (s === undefined) return;
  const { kc, namespace, hook } = s;
  hook.respond(() => ({ allowed: true, patch: addSidecar, warnings: ['ws-gateway injected'] }));
  const admission = kc.makeApiClient(AdmissionregistrationV1Api);
  const config: V1MutatingWebhookConfiguration = {
    metadata: { name: `inject-${namespace}` },
    webhooks: [{
      name: 'inject.tapr.io', admissionReviewVersions: ['v1'], sideEffects: 'None', failurePolicy: 'Ignore',
      clientConfig: { url: hook.url('/mutate'), caBundle: hook.caBundle }, rules: PODS_CREATE,
      objectSelector: { matchExpressions: [{ key: 'tapr.io/manifest', operator: 'Exists' }] },
    }],
  };
  const created = await admission.createMutatingWebhookConfiguration({ body: config });
  const w = created.webhooks![0]!;
  assert.deepEqual([w.failurePolicy, w.matchPolicy, w.timeoutSeconds, w.reinvocationPolicy, JSON.stringify(w.namespaceSelector), w.rules![0]!.scope], ['Ignore', 'Equivalent', 10, 'Never', '{}', '*']);

  const core = kc.makeApiClient(CoreV1Api);
  const injected = await core.createNamespacedPod({ namespace, body: pod('labelled', { 'tapr.io/manifest': 'web' }) });
  assert.deepEqual(injected.spec?.containers.map((c) => c.name), ['app', 'ws-gateway']);
  assert.equal(injected.spec?.containers[1]?.imagePullPolicy, 'IfNotPresent', 'defaults apply to what the webhook added');
  assert.equal(hook.requests.length, 1);
  const review = hook.requests[0]!.request;
  assert.equal(hook.requests[0]!.path, '/mutate');
  assert.deepEqual([review.operation, review.kind.kind, review.resource.resource, review.namespace, review.name, review.dryRun], ['CREATE', 'Pod', 'pods', namespace, 'labelled', false]);
  assert.equal(review.userInfo.username, 'kubernetes-admin');
  assert.equal(review.oldObject, null);
  assert.equal((review.object as { spec: { serviceAccountName?: string } }).spec.serviceAccountName, 'default', 'ServiceAccount admission ran before the webhook');

  const plain = await core.createNamespacedPod({ namespace, body: pod('plain') });
  assert.deepEqual(plain.spec?.containers.map((c) => c.name), ['app'], 'objectSelector skips unlabelled pods');
  assert.equal(hook.requests.length, 1);

  const raw = await rawRequest(kc, `/api/v1/namespaces/${namespace}/pods`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(pod('warned', { 'tapr.io/manifest': 'web' })),
  });
  assert.equal(raw.status, 201);
  assert.equal(raw.headers.warning, '299 - "ws-gateway injected"');

  // failurePolicy Ignore: the webhook is down, the pod is created unchanged.
  await hook.close();
  const unmutated = await core.createNamespacedPod({ namespace, body: pod('while-down', { 'tapr.io/manifest': 'web' }) });
  assert.deepEqual(unmutated.spec?.containers.map((c) => c.name), ['app']);
  await admission.deleteMutatingWebhookConfiguration({ name: `inject-${namespace}` });
});

test('a webhook behind a Service is reached through its Endpoints; without Endpoints the call fails (failurePolicy Fail)', async (t) => {
  const s = await setup(t, ['inject.$NS.svc'], true);
  if (s === undefined) return;
  const { kc, namespace, hook } = s;
  hook.respond(() => ({ allowed: true, patch: addSidecar }));
  const core = kc.makeApiClient(CoreV1Api);
  await core.createNamespacedService({ namespace, body: { metadata: { name: 'inject' }, spec: { ports: [{ name: 'https', port: 443, targetPort: 9443 }] } } });
  const admission = kc.makeApiClient(AdmissionregistrationV1Api);
  await admission.createMutatingWebhookConfiguration({
    body: {
      metadata: { name: `svc-${namespace}` },
      webhooks: [{
        name: 'svc.inject.tapr.io', admissionReviewVersions: ['v1'], sideEffects: 'None',
        clientConfig: { service: { namespace, name: 'inject', path: '/mutate' }, caBundle: hook.caBundle },
        rules: PODS_CREATE, objectSelector: { matchLabels: { 'tapr.io/manifest': 'svc' } },
      }],
    },
  });
  const failed = await expectStatus(core.createNamespacedPod({ namespace, body: pod('early', { 'tapr.io/manifest': 'svc' }) }), 500, 'InternalError');
  assert.equal(failed.message, `Internal error occurred: failed calling webhook "svc.inject.tapr.io": failed to call webhook: Post "https://inject.${namespace}.svc:443/mutate?timeout=10s": no endpoints available for service "inject"`);

  await core.createNamespacedEndpoints({ namespace, body: { metadata: { name: 'inject' }, subsets: [{ addresses: [{ ip: hook.host }], ports: [{ name: 'https', port: hook.port }] }] } });
  // The apiserver resolves Services from its own EndpointSlice cache (mirrored from Endpoints): it learns of them shortly.
  const injected = await eventually(async () => {
    try {
      return await core.createNamespacedPod({ namespace, body: pod('late', { 'tapr.io/manifest': 'svc' }) });
    } catch (error) {
      if (/no endpoints available/.test(String((error as { body?: unknown }).body))) return undefined;
      throw error;
    }
  });
  assert.deepEqual(injected.spec?.containers.map((c) => c.name), ['app', 'ws-gateway']);
  await admission.deleteMutatingWebhookConfiguration({ name: `svc-${namespace}` });
});

test('failurePolicy Fail: a wrong caBundle or a timeout is a 500 naming the webhook; Ignore lets the request through', async (t) => {
  const s = await setup(t);
  if (s === undefined) return;
  const { kc, namespace, hook } = s;
  const other = await startWebhookServer();
  t.after(() => other.close());
  hook.respond(() => ({ allowed: true, delayMs: 3000 }));
  const admission = kc.makeApiClient(AdmissionregistrationV1Api);
  const base = { admissionReviewVersions: ['v1'], sideEffects: 'None', rules: [{ operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['configmaps'] }] };
  await admission.createValidatingWebhookConfiguration({
    body: {
      metadata: { name: `strict-${namespace}` },
      webhooks: [
        { ...base, name: 'tls.strict.tapr.io', clientConfig: { url: hook.url('/'), caBundle: other.caBundle }, objectSelector: { matchLabels: { case: 'tls' } } },
        { ...base, name: 'slow.strict.tapr.io', timeoutSeconds: 1, clientConfig: { url: hook.url('/'), caBundle: hook.caBundle }, objectSelector: { matchLabels: { case: 'slow' } } },
        { ...base, name: 'slow.lenient.tapr.io', timeoutSeconds: 1, failurePolicy: 'Ignore', clientConfig: { url: hook.url('/'), caBundle: hook.caBundle }, objectSelector: { matchLabels: { case: 'lenient' } } },
      ],
    },
  });
  const core = kc.makeApiClient(CoreV1Api);
  const tls = await expectStatus(core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'a', labels: { case: 'tls' } } } }), 500, 'InternalError');
  assert.match(tls.message, /^Internal error occurred: failed calling webhook "tls\.strict\.tapr\.io": failed to call webhook: Post "https:\/\/127\.0\.0\.1:\d+\/\?timeout=10s": .*certificate/);
  const started = Date.now();
  const slow = await expectStatus(core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'b', labels: { case: 'slow' } } } }), 500, 'InternalError');
  assert.match(slow.message, /failed calling webhook "slow\.strict\.tapr\.io": failed to call webhook: Post "https:\/\/127\.0\.0\.1:\d+\/\?timeout=1s": context deadline exceeded/);
  assert.ok(Date.now() - started < 2900, 'the call is abandoned after timeoutSeconds');
  await core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'c', labels: { case: 'lenient' } } } });
  await admission.deleteValidatingWebhookConfiguration({ name: `strict-${namespace}` });
});

test('validating webhooks deny with their message; they see subresources, old objects and DELETE', async (t) => {
  const s = await setup(t);
  if (s === undefined) return;
  const { kc, namespace, hook } = s;
  hook.respond((req) => {
    if (req.operation === 'DELETE') return { allowed: false, status: { code: 403, message: `keep ${String(req.name)}` } };
    if (req.subResource === 'status') return { allowed: true, warnings: [`status of ${String(req.name)} seen`] };
    return { allowed: false, status: { message: 'pods need an owner' } };
  });
  const core = kc.makeApiClient(CoreV1Api);
  const kept = await core.createNamespacedPod({ namespace, body: pod('kept', { guarded: 'yes' }) });
  const admission = kc.makeApiClient(AdmissionregistrationV1Api);
  const config: V1ValidatingWebhookConfiguration = {
    metadata: { name: `guard-${namespace}` },
    webhooks: [{
      name: 'guard.tapr.io', admissionReviewVersions: ['v1'], sideEffects: 'None', clientConfig: { url: hook.url('/validate'), caBundle: hook.caBundle },
      rules: [{ operations: ['CREATE', 'DELETE'], apiGroups: [''], apiVersions: ['v1'], resources: ['pods'] }, { operations: ['UPDATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['pods/status'] }],
      objectSelector: { matchLabels: { guarded: 'yes' } },
    }],
  };
  await admission.createValidatingWebhookConfiguration({ body: config });
  // The apiserver learns of a new webhook configuration from its own informer: shortly, not at once. A pod created
  // before that is admitted (and left alone: deleting a guarded pod would meet the webhook too).
  let tries = 0;
  const denied = await eventually(async () => {
    try {
      return await expectStatus(core.createNamespacedPod({ namespace, body: pod(`new-${tries++}`, { guarded: 'yes' }) }), 400);
    } catch (error) {
      if (/the call succeeded/.test(String(error))) return undefined;
      throw error;
    }
  });
  assert.equal(denied.message, 'admission webhook "guard.tapr.io" denied the request: pods need an owner');

  const raw = await rawRequest(kc, `/api/v1/namespaces/${namespace}/pods/kept/status`, {
    method: 'PATCH', headers: { 'Content-Type': 'application/merge-patch+json' }, body: JSON.stringify({ status: { phase: 'Running' } }),
  });
  assert.equal(raw.status, 200);
  assert.equal(raw.headers.warning, '299 - "status of kept seen"');
  // The scheduler writes status too (PodScheduled): find our own update.
  const statusReview = hook.requests.find((r) => r.request.subResource === 'status'
    && (r.request.object as { status: { phase: string } }).status.phase === 'Running')!.request;
  assert.equal((statusReview.oldObject as { status: { phase: string } }).status.phase, 'Pending');
  assert.equal((statusReview.object as { status: { phase: string } }).status.phase, 'Running');
  // A plain update of the pod is not matched (the rule names pods/status only).
  // (The node agent writes the pod's status meanwhile: only reviews of the pod itself count here.)
  const podReviews = (): number => hook.requests.filter((r) => r.request.subResource === undefined || r.request.subResource === '').length;
  const before = podReviews();
  await core.patchNamespacedPod({ namespace, name: 'kept', body: [{ op: 'add', path: '/metadata/annotations', value: { a: 'b' } }] });
  assert.equal(podReviews(), before);

  const keep = await expectStatus(core.deleteNamespacedPod({ namespace, name: 'kept' }), 403);
  assert.equal(keep.message, 'admission webhook "guard.tapr.io" denied the request: keep kept');
  // The node agent's status writes can be reviewed after the DELETE: pick the DELETE itself.
  const delReview = hook.requests.findLast((r) => r.request.operation === 'DELETE')!.request;
  assert.deepEqual([delReview.operation, delReview.object, (delReview.oldObject as { metadata: { uid: string } }).metadata.uid], ['DELETE', null, kept.metadata!.uid]);
  await core.readNamespacedPod({ namespace, name: 'kept' });
  await admission.deleteValidatingWebhookConfiguration({ name: `guard-${namespace}` });
  await core.deleteNamespacedPod({ namespace, name: 'kept' });
});

test('webhook configurations are validated like the apiserver does', async (t) => {
  const { kc } = await clusterUnderTest(t);
  const admission = kc.makeApiClient(AdmissionregistrationV1Api);
  const bad = await expectStatus(admission.createMutatingWebhookConfiguration({
    body: { metadata: { name: 'bad-config' }, webhooks: [{ name: 'nodots', admissionReviewVersions: ['v1'], sideEffects: 'None', clientConfig: { url: 'https://127.0.0.1:1/' } }] },
  }), 422, 'Invalid');
  assert.equal(bad.details?.causes?.[0]?.field, 'webhooks[0].name');
  assert.match(bad.message, /should be a domain with at least three segments separated by dots/);
});
