// Unit: RBAC rule matching, bindings and subjects, the Forbidden wording, and ServiceAccount token signing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  buildForbiddenMessage, decideAuthorization, isNonResourceUrlMatch, isResourceMatch, isRuleAllowing,
  type Attributes, type Binding, type PolicyRule, type PolicySource,
} from './rbac.ts';
import { buildServiceAccountToken, decodeServiceAccountToken } from './service-account-token.ts';

const SA = { username: 'system:serviceaccount:team:bot', groups: ['system:serviceaccounts', 'system:serviceaccounts:team', 'system:authenticated'] };

function policy(p: { crb?: Binding[]; rb?: Record<string, Binding[]>; cr?: Record<string, PolicyRule[]>; r?: Record<string, PolicyRule[]> }): PolicySource {
  return {
    clusterRoleBindings: () => p.crb ?? [],
    roleBindings: (ns) => p.rb?.[ns] ?? [],
    clusterRole: (name) => p.cr?.[name],
    role: (ns, name) => p.r?.[`${ns}/${name}`],
  };
}

function res(verb: string, resource: string, extra: Partial<Extract<Attributes, { kind: 'resource' }>> = {}): Attributes {
  return { kind: 'resource', user: SA, verb, apiGroup: '', resource, namespace: 'team', ...extra };
}

test('resources: plain, subresource, * and */sub', () => {
  assert.equal(isResourceMatch({ verbs: [], resources: ['pods'] }, 'pods', undefined), true);
  assert.equal(isResourceMatch({ verbs: [], resources: ['pods'] }, 'pods', 'status'), false);
  assert.equal(isResourceMatch({ verbs: [], resources: ['pods/status'] }, 'pods', 'status'), true);
  assert.equal(isResourceMatch({ verbs: [], resources: ['pods/status'] }, 'pods', undefined), false);
  assert.equal(isResourceMatch({ verbs: [], resources: ['*'] }, 'pods', 'log'), true);
  assert.equal(isResourceMatch({ verbs: [], resources: ['*/scale'] }, 'deployments', 'scale'), true);
  assert.equal(isResourceMatch({ verbs: [], resources: ['*/scale'] }, 'deployments', undefined), false);
});

test('verbs, groups, resourceNames and nonResourceURLs', () => {
  const rule: PolicyRule = { verbs: ['get', 'update'], apiGroups: ['apps'], resources: ['deployments'], resourceNames: ['web'] };
  assert.equal(isRuleAllowing(rule, res('get', 'deployments', { apiGroup: 'apps', name: 'web' })), true);
  assert.equal(isRuleAllowing(rule, res('get', 'deployments', { apiGroup: 'apps', name: 'other' })), false);
  assert.equal(isRuleAllowing(rule, res('list', 'deployments', { apiGroup: 'apps' })), false, 'list is a separate verb');
  assert.equal(isRuleAllowing(rule, res('get', 'deployments', { apiGroup: '', name: 'web' })), false, 'wrong group');
  assert.equal(isRuleAllowing({ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }, res('watch', 'anything', { apiGroup: 'x.io' })), true);
  assert.equal(isNonResourceUrlMatch({ verbs: ['get'], nonResourceURLs: ['/healthz'] }, '/healthz'), true);
  assert.equal(isNonResourceUrlMatch({ verbs: ['get'], nonResourceURLs: ['/apis/*'] }, '/apis/apps/v1'), true);
  assert.equal(isNonResourceUrlMatch({ verbs: ['get'], nonResourceURLs: ['/apis'] }, '/apis/apps'), false);
});

test('RoleBindings apply in their namespace only; ClusterRoleBindings everywhere; missing roles are reported', () => {
  const readPods: PolicyRule[] = [{ verbs: ['get', 'list', 'watch'], apiGroups: [''], resources: ['pods'] }];
  const p = policy({
    rb: { team: [{ name: 'bot-reads', namespace: 'team', roleRef: { kind: 'Role', name: 'reader' }, subjects: [{ kind: 'ServiceAccount', name: 'bot', namespace: 'team' }] }] },
    r: { 'team/reader': readPods },
    crb: [{ name: 'dangling', roleRef: { kind: 'ClusterRole', name: 'gone' }, subjects: [{ kind: 'Group', name: 'system:serviceaccounts' }] }],
  });
  const ok = decideAuthorization(p, res('list', 'pods'));
  assert.equal(ok.allowed, true);
  assert.equal(ok.reason, 'RBAC: allowed by RoleBinding "bot-reads" of Role "reader" to ServiceAccount "team/bot" in namespace "team"');
  assert.deepEqual(decideAuthorization(p, res('list', 'pods', { namespace: 'other' })),
    { allowed: false, reason: 'RBAC: clusterrole.rbac.authorization.k8s.io "gone" not found' });
  assert.equal(decideAuthorization(p, res('delete', 'pods', { name: 'x' })).allowed, false);
  const byGroup = policy({ crb: [{ name: 'g', roleRef: { kind: 'ClusterRole', name: 'r' }, subjects: [{ kind: 'Group', name: 'system:serviceaccounts:team' }] }], cr: { r: readPods } });
  assert.equal(decideAuthorization(byGroup, res('get', 'pods', { namespace: 'elsewhere', name: 'p' })).allowed, true);
  const otherSa = policy({ crb: [{ name: 'g', roleRef: { kind: 'ClusterRole', name: 'r' }, subjects: [{ kind: 'ServiceAccount', name: 'bot', namespace: 'other' }] }], cr: { r: readPods } });
  assert.equal(decideAuthorization(otherSa, res('get', 'pods', { name: 'p' })).allowed, false);
});

test('Forbidden messages are worded like the apiserver', () => {
  assert.equal(buildForbiddenMessage(res('get', 'configmaps', { name: 'cfg' }), ''),
    'configmaps "cfg" is forbidden: User "system:serviceaccount:team:bot" cannot get resource "configmaps" in API group "" in the namespace "team"');
  assert.equal(buildForbiddenMessage(res('list', 'deployments', { apiGroup: 'apps' }), ''),
    'deployments.apps is forbidden: User "system:serviceaccount:team:bot" cannot list resource "deployments" in API group "apps" in the namespace "team"');
  const { namespace: _ns, ...clusterScoped } = res('watch', 'namespaces') as Extract<Attributes, { kind: 'resource' }>;
  assert.equal(buildForbiddenMessage(clusterScoped, ''),
    'namespaces is forbidden: User "system:serviceaccount:team:bot" cannot watch resource "namespaces" in API group "" at the cluster scope');
  assert.equal(buildForbiddenMessage(res('update', 'pods', { subresource: 'status', name: 'p' }), 'RBAC: role.rbac.authorization.k8s.io "x" not found'),
    'pods "p" is forbidden: User "system:serviceaccount:team:bot" cannot update resource "pods/status" in API group "" in the namespace "team": RBAC: role.rbac.authorization.k8s.io "x" not found');
  assert.equal(buildForbiddenMessage({ kind: 'nonResource', user: SA, verb: 'get', path: '/metrics' }, ''),
    'forbidden: User "system:serviceaccount:team:bot" cannot get path "/metrics"');
});

test('ServiceAccount tokens: signed, expiring, tamper-evident', () => {
  const key = Buffer.alloc(32, 7);
  const sa = { namespace: 'team', name: 'bot', uid: 'u-1' };
  const token = buildServiceAccountToken(key, { kind: 'bound', sa, audiences: ['api'], issuedAt: 1000, expiresAt: 4600 });
  assert.equal(token.split('.').length, 3);
  const claims = decodeServiceAccountToken(key, token, 2000);
  assert.deepEqual(claims, { kind: 'bound', sa, audiences: ['api'], issuedAt: 1000, expiresAt: 4600 });
  const payload = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as { sub: string };
  assert.equal(payload.sub, 'system:serviceaccount:team:bot');
  assert.equal(decodeServiceAccountToken(key, token, 4600), undefined, 'expired');
  assert.equal(decodeServiceAccountToken(Buffer.alloc(32, 8), token, 2000), undefined, 'other key');
  const [h, , s] = token.split('.');
  const forged = Buffer.from(JSON.stringify({ ...payload, sub: 'system:serviceaccount:kube-system:admin' })).toString('base64url');
  assert.equal(decodeServiceAccountToken(key, `${h!}.${forged}.${s!}`, 2000), undefined, 'tampered');
  const legacy = buildServiceAccountToken(key, { kind: 'legacy', sa, secretName: 'bot-token' });
  assert.deepEqual(decodeServiceAccountToken(key, legacy, 9e9), { kind: 'legacy', sa, secretName: 'bot-token' });
});
