// AdmissionReview handling: an injected pod gets a base64 JSONPatch; every problem admits the pod unchanged.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fastJsonPatch from 'fast-json-patch';
import type { Operation } from 'fast-json-patch';
import { parseGatewaySettings } from '../injection/gateway-settings.ts';
import type { ManifestLookup } from '../manifest/manifest-lookup.ts';
import { isNestedDeeperThan, reviewAdmission, type AdmissionContext } from './admission.ts';

const parsed = parseGatewaySettings({ image: 'gw:1' });
if (!parsed.ok) throw new Error(parsed.error);
const settings = parsed.settings;

function context(manifests: Record<string, ManifestLookup>): AdmissionContext {
  return {
    lookupManifest: (namespace, name) => manifests[`${namespace}/${name}`] ?? { kind: 'missing', configMapName: name, key: 'OlaresManifest.yaml' },
    settings,
    nativeSidecars: false,
  };
}

function review(object: unknown, overrides: Record<string, unknown> = {}): unknown {
  return {
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: { uid: 'uid-1', kind: { group: '', version: 'v1', kind: 'Pod' }, namespace: 'apps', operation: 'CREATE', object, ...overrides },
  };
}

const pod = {
  metadata: { name: 'chat-0', labels: { 'tapr.io/manifest': 'chat-manifest' } },
  spec: { containers: [{ name: 'app', image: 'chat:1' }] },
};

test('a pod of a valid manifest: allowed with a base64 JSONPatch that adds ws-gateway and the annotation', () => {
  const outcome = reviewAdmission(review(pod), context({ 'apps/chat-manifest': { kind: 'websocket', url: '/ws', port: 8888 } }));
  assert.equal(outcome.kind, 'reviewed');
  if (outcome.kind !== 'reviewed') return;
  const { response } = outcome.review;
  assert.equal(outcome.review.apiVersion, 'admission.k8s.io/v1');
  assert.equal(response.uid, 'uid-1');
  assert.equal(response.allowed, true);
  assert.equal(response.patchType, 'JSONPatch');
  const patch = JSON.parse(Buffer.from(response.patch!, 'base64').toString('utf8')) as Operation[];
  const patched = fastJsonPatch.applyPatch(structuredClone(pod), patch).newDocument as unknown as typeof pod & { metadata: { annotations: Record<string, string> } };
  assert.deepEqual(patched.spec.containers.map((container) => container.name), ['app', 'ws-gateway']);
  assert.match(patched.metadata.annotations['tapr.io/injected']!, /\S/);
});

test('an invalid manifest: allowed, no patch, a warning naming the field', () => {
  const outcome = reviewAdmission(review(pod), context({ 'apps/chat-manifest': { kind: 'invalid', field: 'options.websocket.port', message: 'expected an integer from 1 to 65535, got 0' } }));
  assert.equal(outcome.kind, 'reviewed');
  if (outcome.kind !== 'reviewed') return;
  assert.deepEqual(Object.keys(outcome.review.response).sort(), ['allowed', 'uid', 'warnings']);
  assert.match(outcome.review.response.warnings![0]!, /options\.websocket\.port/);
});

test('a missing manifest ConfigMap: allowed unchanged with a warning', () => {
  const outcome = reviewAdmission(review(pod), context({}));
  assert.ok(outcome.kind === 'reviewed' && outcome.review.response.patch === undefined);
  assert.match(outcome.review.response.warnings?.[0] ?? '', /ConfigMap chat-manifest/);
});

test('not a Pod CREATE, no label, or an unreadable pod: allowed unchanged', () => {
  const manifests = context({ 'apps/chat-manifest': { kind: 'websocket', url: '/ws', port: 8888 } });
  for (const body of [
    review(pod, { operation: 'UPDATE' }),
    review(pod, { kind: { group: 'apps', version: 'v1', kind: 'Deployment' } }),
    review({ ...pod, metadata: { name: 'x' } }),
    review({ metadata: pod.metadata, spec: { containers: 'nope' } }),
  ]) {
    const outcome = reviewAdmission(body, manifests);
    assert.ok(outcome.kind === 'reviewed');
    assert.deepEqual(outcome.review.response, { uid: 'uid-1', allowed: true });
  }
});

test('a review with a uid but a wrong shape is admitted; without a uid it is unreadable', () => {
  const wrongVersion = reviewAdmission({ apiVersion: 'admission.k8s.io/v1beta1', kind: 'AdmissionReview', request: { uid: 'u2' } }, context({}));
  assert.ok(wrongVersion.kind === 'reviewed');
  assert.deepEqual(wrongVersion.review.response, { uid: 'u2', allowed: true });
  const noUid = reviewAdmission({ hello: 'world' }, context({}));
  assert.equal(noUid.kind, 'unreadable');
  assert.equal(reviewAdmission(null, context({})).kind, 'unreadable');
});

test('a pod nested 200,000 levels deep is admitted unchanged as "ignored", not a failure (F16: no error-level log)', () => {
  const deep = JSON.parse(`${'['.repeat(200_000)}${']'.repeat(200_000)}`) as unknown;
  const nested = { ...pod, spec: { containers: [{ name: 'app', image: 'chat:1', x: deep }] } };
  const outcome = reviewAdmission(review(nested), context({ 'apps/chat-manifest': { kind: 'websocket', url: '/ws', port: 8888 } }));
  assert.equal(outcome.kind, 'reviewed');
  if (outcome.kind !== 'reviewed') return;
  assert.deepEqual(outcome.decision, { kind: 'ignored', reason: 'the pod is nested deeper than 100 levels' });
  assert.deepEqual(outcome.review.response, { uid: 'uid-1', allowed: true });
});

test('isNestedDeeperThan counts object and array levels', () => {
  assert.equal(isNestedDeeperThan({ a: [{ b: 1 }] }, 3), false);
  assert.equal(isNestedDeeperThan({ a: [{ b: {} }] }, 3), true);
  assert.equal(isNestedDeeperThan('text', 0), false);
});
