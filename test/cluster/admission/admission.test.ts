// Unit: webhook matching (rules, scope, selectors, matchPolicy), configuration defaults/validation, the AdmissionReview
// and the meaning of a webhook's answer (allow, deny, patch, warnings, broken answers).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError } from '../api/status.ts';
import { decideWebhookMatch, isRuleResourceMatch, type MatchRequest } from './webhook-match.ts';
import { applyWebhookConfigurationDefaults, validateWebhookConfiguration, type Webhook } from './webhook-configuration.ts';
import { buildAdmissionReview, buildCallFailedError, decideWebhookOutcome, WebhookCallError } from './admission-review.ts';
import { pickEndpoint } from './webhook-admission.ts';
import type { JsonObject } from '../patch/json-value.ts';

const podCreate: MatchRequest = {
  operation: 'CREATE', resource: { group: '', version: 'v1', resource: 'pods' }, subresource: '', namespace: 'team', equivalents: [],
  namespaceLabels: { env: 'dev' }, objectLabels: { 'tapr.io/manifest': 'web' }, oldObjectLabels: undefined,
};

function hook(extra: Partial<Webhook> = {}): Webhook {
  return {
    name: 'inject.tapr.io', clientConfig: { url: 'https://127.0.0.1:1/' }, sideEffects: 'None', admissionReviewVersions: ['v1'],
    rules: [{ operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['pods'], scope: '*' }], ...extra,
  };
}

test('rule resources: main resource, subresources, wildcards', () => {
  assert.equal(isRuleResourceMatch(['pods'], 'pods', ''), true);
  assert.equal(isRuleResourceMatch(['pods'], 'pods', 'status'), false);
  assert.equal(isRuleResourceMatch(['pods/status'], 'pods', 'status'), true);
  assert.equal(isRuleResourceMatch(['pods/*'], 'pods', 'status'), true);
  assert.equal(isRuleResourceMatch(['*'], 'pods', 'status'), false);
  assert.equal(isRuleResourceMatch(['*/*'], 'pods', 'status'), true);
  assert.equal(isRuleResourceMatch(['*/status'], 'deployments', 'status'), true);
});

test('operations, scope, object and namespace selectors', () => {
  assert.deepEqual(decideWebhookMatch(hook(), podCreate), { matches: true, resource: podCreate.resource });
  assert.equal(decideWebhookMatch(hook(), { ...podCreate, operation: 'UPDATE' }).matches, false);
  assert.equal(decideWebhookMatch(hook({ rules: [{ operations: ['*'], apiGroups: ['*'], apiVersions: ['*'], resources: ['*'], scope: 'Cluster' }] }), podCreate).matches, false);
  const sel = hook({ objectSelector: { matchExpressions: [{ key: 'tapr.io/manifest', operator: 'Exists' }] } });
  assert.equal(decideWebhookMatch(sel, podCreate).matches, true);
  assert.equal(decideWebhookMatch(sel, { ...podCreate, objectLabels: {} }).matches, false);
  assert.equal(decideWebhookMatch(sel, { ...podCreate, operation: 'CREATE', objectLabels: {}, oldObjectLabels: { 'tapr.io/manifest': 'x' } }).matches, true, 'old object labels count');
  const nsSel = hook({ namespaceSelector: { matchLabels: { env: 'prod' } } });
  assert.equal(decideWebhookMatch(nsSel, podCreate).matches, false);
  assert.equal(decideWebhookMatch(nsSel, { ...podCreate, namespaceLabels: { env: 'prod' } }).matches, true);
  const anyNs = hook({ namespaceSelector: { matchLabels: { env: 'prod' } }, rules: [{ operations: ['*'], apiGroups: ['*'], apiVersions: ['*'], resources: ['*'] }] });
  const clusterScoped: MatchRequest = { ...podCreate, resource: { group: 'rbac.authorization.k8s.io', version: 'v1', resource: 'clusterroles' }, namespace: '', namespaceLabels: undefined };
  assert.equal(decideWebhookMatch(anyNs, clusterScoped).matches, true, 'cluster-scoped objects are never exempted by namespaceSelector');
  const webhookConfig: MatchRequest = { ...clusterScoped, resource: { group: 'admissionregistration.k8s.io', version: 'v1', resource: 'mutatingwebhookconfigurations' } };
  assert.equal(decideWebhookMatch(anyNs, webhookConfig).matches, false, 'webhook configurations are exempt');
});

test('matchPolicy: Equivalent matches another served version of the same objects, Exact does not', () => {
  const v1 = hook({ rules: [{ operations: ['CREATE'], apiGroups: ['tapr.io'], apiVersions: ['v1'], resources: ['things'] }] });
  const req: MatchRequest = { ...podCreate, resource: { group: 'tapr.io', version: 'v1alpha1', resource: 'things' }, equivalents: [{ group: 'tapr.io', version: 'v1', resource: 'things' }] };
  assert.deepEqual(decideWebhookMatch(v1, req), { matches: true, resource: { group: 'tapr.io', version: 'v1', resource: 'things' } });
  assert.equal(decideWebhookMatch({ ...v1, matchPolicy: 'Exact' }, req).matches, false);
});

test('configuration defaults and validation', () => {
  const cfg: JsonObject = { webhooks: [{ name: 'a.b.c', clientConfig: { service: { namespace: 'x', name: 'y' } }, rules: [{ operations: ['CREATE'], resources: ['pods'] }], sideEffects: 'None', admissionReviewVersions: ['v1'] }] };
  applyWebhookConfigurationDefaults(cfg, true);
  assert.deepEqual(cfg.webhooks, [{
    name: 'a.b.c', clientConfig: { service: { namespace: 'x', name: 'y', port: 443 } }, rules: [{ operations: ['CREATE'], resources: ['pods'], scope: '*' }],
    sideEffects: 'None', admissionReviewVersions: ['v1'], failurePolicy: 'Fail', matchPolicy: 'Equivalent', namespaceSelector: {}, objectSelector: {},
    timeoutSeconds: 10, reinvocationPolicy: 'Never',
  }]);
  assert.deepEqual(validateWebhookConfiguration(cfg, true), []);
  const bad = validateWebhookConfiguration({ webhooks: [{ name: 'short', clientConfig: { url: 'http://127.0.0.1/' }, sideEffects: 'Some', timeoutSeconds: 31 }] }, true);
  assert.deepEqual(bad.map((e) => `${e.field}: ${e.message}`), [
    'webhooks[0].name: Invalid value: "short": should be a domain with at least three segments separated by dots',
    'webhooks[0].clientConfig.url: Invalid value: "http://127.0.0.1/": \'https\' is the only allowed URL scheme',
    'webhooks[0].sideEffects: Unsupported value: "Some": supported values: "None", "NoneOnDryRun"',
    'webhooks[0].admissionReviewVersions: Required value: must specify one of v1, v1beta1',
    'webhooks[0].timeoutSeconds: Invalid value: 31: the timeout value must be between 1 and 30 seconds',
  ]);
});

test('AdmissionReview request carries what the webhook needs', () => {
  const review = buildAdmissionReview({
    uid: 'u1', operation: 'UPDATE', resource: { group: '', version: 'v1', resource: 'pods' }, kind: 'Pod',
    requestResource: { group: '', version: 'v1', resource: 'pods' }, requestKind: 'Pod', subresource: 'status', name: 'p', namespace: 'team',
    userInfo: { username: 'alice', groups: ['g'] }, object: { a: 1 }, oldObject: { a: 0 }, dryRun: false, options: { kind: 'UpdateOptions', apiVersion: 'meta.k8s.io/v1' },
  });
  assert.deepEqual(review, {
    apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request: {
      uid: 'u1', kind: { group: '', version: 'v1', kind: 'Pod' }, resource: { group: '', version: 'v1', resource: 'pods' },
      requestKind: { group: '', version: 'v1', kind: 'Pod' }, requestResource: { group: '', version: 'v1', resource: 'pods' },
      subResource: 'status', requestSubResource: 'status', name: 'p', namespace: 'team', operation: 'UPDATE',
      userInfo: { username: 'alice', groups: ['g'] }, object: { a: 1 }, oldObject: { a: 0 }, dryRun: false,
      options: { kind: 'UpdateOptions', apiVersion: 'meta.k8s.io/v1' },
    },
  });
});

test('webhook answers: patch, warnings, denial wording, broken answers', () => {
  const review = (response: JsonObject): JsonObject => ({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response: { uid: 'u1', ...response } });
  const patch = Buffer.from(JSON.stringify([{ op: 'add', path: '/metadata/labels', value: { injected: 'yes' } }])).toString('base64');
  const out = decideWebhookOutcome('m.tapr.io', 'u1', review({ allowed: true, patchType: 'JSONPatch', patch, warnings: ['careful'] }), { metadata: { name: 'p' } }, true);
  assert.deepEqual(out, { kind: 'allowed', object: { metadata: { name: 'p', labels: { injected: 'yes' } } }, patched: true, warnings: ['careful'] });

  const denied = decideWebhookOutcome('v.tapr.io', 'u1', review({ allowed: false, status: { code: 403, message: 'no pods today' } }), {}, false);
  assert.equal(denied.kind, 'denied');
  if (denied.kind === 'denied') {
    assert.equal(denied.error.status.code, 403);
    assert.equal(denied.error.status.message, 'admission webhook "v.tapr.io" denied the request: no pods today');
  }
  const bare = decideWebhookOutcome('v.tapr.io', 'u1', review({ allowed: false }), {}, false);
  assert.ok(bare.kind === 'denied' && bare.error.status.code === 400 && bare.error.status.message === 'admission webhook "v.tapr.io" denied the request without explanation');

  assert.throws(() => decideWebhookOutcome('m', 'u1', review({ uid: 'other', allowed: true }), {}, true), (e: unknown) => e instanceof WebhookCallError && e.message === 'expected response.uid="u1", got "other"');
  assert.throws(() => decideWebhookOutcome('m', 'u1', { kind: 'Nope' }, {}, true), WebhookCallError);
  assert.throws(() => decideWebhookOutcome('m', 'u1', review({ allowed: true, patch }), {}, true), /patch but not response.patchType/);
  const failed = buildCallFailedError('m.tapr.io', 'failed to call webhook: Post "https://127.0.0.1:1/?timeout=10s": connect ECONNREFUSED 127.0.0.1:1');
  assert.ok(failed instanceof ApiError);
  assert.equal(failed.status.message, 'Internal error occurred: failed calling webhook "m.tapr.io": failed to call webhook: Post "https://127.0.0.1:1/?timeout=10s": connect ECONNREFUSED 127.0.0.1:1');
  assert.equal(failed.status.reason, 'InternalError');
});

test('Service targets resolve through Endpoints by port name', () => {
  const ep: JsonObject = { subsets: [{ addresses: [{ ip: '127.1.0.5' }], ports: [{ name: 'metrics', port: 9090 }, { name: 'https', port: 8443 }] }] };
  assert.deepEqual(pickEndpoint(ep, 'https'), { ip: '127.1.0.5', port: 8443 });
  assert.equal(pickEndpoint(ep, 'other'), undefined);
  assert.equal(pickEndpoint({ subsets: [] }, ''), undefined);
  assert.equal(pickEndpoint(undefined, ''), undefined);
});
