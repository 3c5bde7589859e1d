// Unit: the webhook plug-in without the network — configuration-name order, patches feeding the next webhook,
// IfNeeded reinvocation, failurePolicy, dry run, and the kubectl protobuf bodies for access reviews and tokens.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError } from '../api/status.ts';
import type { JsonObject } from '../patch/json-value.ts';
import { ResourceRegistry } from '../resources/registry.ts';
import { buildBuiltinTypes } from '../resources/builtin-types.ts';
import { apiVersionOf } from '../resources/resource-type.ts';
import { Store } from '../store/store.ts';
import type { AdmissionRequest } from '../server/pipeline.ts';
import { decodeProtobufBody } from '../server/protobuf-bodies.ts';
import { WebhookCallError } from './admission-review.ts';
import { WebhookAdmission } from './webhook-admission.ts';
import type { WebhookTarget } from './webhook-client.ts';

function config(name: string, webhooks: JsonObject[]): JsonObject {
  return { apiVersion: 'admissionregistration.k8s.io/v1', kind: 'MutatingWebhookConfiguration', metadata: { name, uid: name }, webhooks };
}

function webhook(name: string, extra: JsonObject = {}): JsonObject {
  return {
    name, clientConfig: { url: `https://127.0.0.1:1/${name}` }, sideEffects: 'None', admissionReviewVersions: ['v1'], failurePolicy: 'Fail',
    rules: [{ operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['configmaps'] }], ...extra,
  };
}

function setup(answer: (name: string, review: { request: { uid: string; object: JsonObject } }) => unknown): { admission: WebhookAdmission; store: Store; calls: string[]; request: AdmissionRequest } {
  const store = new Store();
  const registry = new ResourceRegistry(buildBuiltinTypes());
  const calls: string[] = [];
  const admission = new WebhookAdmission({
    store, registry,
    present: (type, obj) => ({ ...obj, apiVersion: apiVersionOf(type), kind: type.kind }),
    toStorage: (_type, obj) => obj,
    call: (target: WebhookTarget, review: JsonObject) => {
      const name = target.url.pathname.slice(1);
      calls.push(name);
      return Promise.resolve(answer(name, review as unknown as { request: { uid: string; object: JsonObject } }));
    },
  });
  const type = registry.find('', 'v1', 'configmaps')!;
  const request: AdmissionRequest = {
    operation: 'CREATE', dryRun: false, oldObject: undefined,
    object: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'ns' }, data: {} },
    attributes: { user: { username: 'u', groups: [] }, verb: 'create', type, namespace: 'ns', name: 'c', subresource: undefined },
  };
  return { admission, store, calls, request };
}

function allowWith(uid: string, patch?: unknown[]): JsonObject {
  const response: JsonObject = { uid, allowed: true };
  if (patch !== undefined) {
    response.patchType = 'JSONPatch';
    response.patch = Buffer.from(JSON.stringify(patch)).toString('base64');
  }
  return { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response };
}

test('mutating webhooks run by configuration name, each seeing the previous patches; IfNeeded ones are reinvoked', async () => {
  const { admission, store, calls, request } = setup((name, review) => {
    const data = review.request.object.data as Record<string, string>;
    if (name === 'first.a.io' && data.first === undefined) return allowWith(review.request.uid, [{ op: 'add', path: '/data/first', value: String(Object.keys(data).length) }]);
    if (name === 'second.b.io') return allowWith(review.request.uid, [{ op: 'add', path: '/data/second', value: data.first ?? 'missing' }]);
    return allowWith(review.request.uid);
  });
  const key = 'admissionregistration.k8s.io/mutatingwebhookconfigurations';
  store.create(key, config('b-config', [webhook('second.b.io')]));
  store.create(key, config('a-config', [webhook('first.a.io', { reinvocationPolicy: 'IfNeeded' })]));
  const out = await admission.mutating(request);
  assert.deepEqual(out.object?.data, { first: '0', second: '0' });
  assert.deepEqual(calls, ['first.a.io', 'second.b.io', 'first.a.io'], 'first ran again because second changed the object');
});

test('failurePolicy decides about broken webhooks; dry run needs sideEffects None/NoneOnDryRun', async () => {
  const { admission, store, request } = setup(() => { throw new WebhookCallError('connection refused'); });
  const key = 'admissionregistration.k8s.io/mutatingwebhookconfigurations';
  store.create(key, config('lenient', [webhook('ignore.x.io', { failurePolicy: 'Ignore' })]));
  assert.equal((await admission.mutating(request)).object, request.object);
  store.create(key, config('strict', [webhook('fail.x.io')]));
  await assert.rejects(admission.mutating(request), (e: unknown) => e instanceof ApiError && e.code === 500
    && e.status.message === 'Internal error occurred: failed calling webhook "fail.x.io": connection refused');
  store.remove(key, undefined, 'strict');
  store.create(key, config('unknown', [webhook('side.x.io', { sideEffects: 'Unknown' })]));
  await assert.rejects(admission.mutating({ ...request, dryRun: true }), (e: unknown) => e instanceof ApiError && e.code === 400
    && e.status.message === 'admission webhook "side.x.io" does not support dry run');
});

function field(n: number, value: Buffer | string | number): Buffer {
  if (typeof value === 'number') return Buffer.from([(n << 3) | 0, value]);
  const b = Buffer.from(value);
  return Buffer.concat([Buffer.from([(n << 3) | 2, b.length]), b]);
}

test('protobuf bodies kubectl sends for auth can-i and create token', () => {
  const envelope = (apiVersion: string, kind: string, raw: Buffer): Buffer =>
    Buffer.concat([Buffer.from('k8s\0', 'latin1'), field(1, Buffer.concat([field(1, apiVersion), field(2, kind)])), field(2, raw)]);
  const ra = Buffer.concat([field(1, 'team'), field(2, 'list'), field(3, 'apps'), field(5, 'deployments'), field(6, 'scale')]);
  const ssar = envelope('authorization.k8s.io/v1', 'SelfSubjectAccessReview', Buffer.concat([field(1, Buffer.alloc(0)), field(2, field(1, ra))]));
  assert.deepEqual(decodeProtobufBody(ssar), {
    apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', metadata: {},
    spec: { resourceAttributes: { namespace: 'team', verb: 'list', group: 'apps', resource: 'deployments', subresource: 'scale' } },
  });
  const tr = envelope('authentication.k8s.io/v1', 'TokenRequest', field(2, Buffer.concat([field(1, 'api'), field(4, 120)])));
  assert.deepEqual(decodeProtobufBody(tr), { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', metadata: {}, spec: { audiences: ['api'], expirationSeconds: 120 } });
  assert.throws(() => decodeProtobufBody(Buffer.from('{"kind":"Pod"}')), /prefix/);
});
