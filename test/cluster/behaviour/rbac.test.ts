// Behaviour: ServiceAccount tokens (TokenRequest and token Secrets, the `default` ServiceAccount) and RBAC — Roles,
// ClusterRoles and their bindings decide what a token may do; denials are 403 Status objects worded like the apiserver;
// SelfSubjectAccessReview answers `kubectl auth can-i`; the admin may impersonate.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AppsV1Api, AuthorizationV1Api, CoreV1Api, RbacAuthorizationV1Api, type KubeConfig } from '@kubernetes/client-node';
import { clusterUnderTest, eventually, expectStatus, kubeConfigWithToken, rawRequest } from './support/cluster-under-test.ts';

async function tokenFor(kc: KubeConfig, namespace: string, name: string): Promise<string> {
  const core = kc.makeApiClient(CoreV1Api);
  const tr = await core.createNamespacedServiceAccountToken({ namespace, name, body: { spec: { audiences: [], expirationSeconds: 3600 } } });
  assert.ok(tr.status?.expirationTimestamp instanceof Date);
  const token = tr.status?.token;
  if (token === undefined || token === '') throw new Error('TokenRequest returned no token');
  return token;
}

test('every namespace gets a default ServiceAccount; TokenRequest tokens authenticate as the ServiceAccount', async (t) => {
  const { kc, namespace } = await clusterUnderTest(t);
  const core = kc.makeApiClient(CoreV1Api);
  await eventually(async () => (await core.listNamespacedServiceAccount({ namespace })).items.find((sa) => sa.metadata?.name === 'default'));
  await core.createNamespacedServiceAccount({ namespace, body: { metadata: { name: 'bot' } } });
  const token = await tokenFor(kc, namespace, 'bot');
  const bot = kubeConfigWithToken(kc, token);
  const review = await bot.makeApiClient(AuthorizationV1Api).createSelfSubjectAccessReview({
    body: { spec: { resourceAttributes: { namespace, verb: 'list', resource: 'configmaps' } } },
  });
  assert.equal(review.status?.allowed, false);
  const discovery = await rawRequest(bot, '/apis');
  assert.equal(discovery.status, 200, 'system:discovery lets every authenticated user read discovery');
  const unknown = await rawRequest(kubeConfigWithToken(kc, 'not-a-token'), '/api/v1/namespaces');
  assert.equal(unknown.status, 401);
  await expectStatus(core.createNamespacedServiceAccountToken({ namespace, name: 'nobody', body: { spec: { audiences: [] } } }), 404, 'NotFound');
});

test('without a binding every request is a 403 worded like the apiserver; list and watch are separate verbs', async (t) => {
  const { kc, namespace } = await clusterUnderTest(t);
  const core = kc.makeApiClient(CoreV1Api);
  await core.createNamespacedServiceAccount({ namespace, body: { metadata: { name: 'bot' } } });
  const bot = kubeConfigWithToken(kc, await tokenFor(kc, namespace, 'bot'));
  const user = `system:serviceaccount:${namespace}:bot`;
  const botCore = bot.makeApiClient(CoreV1Api);

  const list = await expectStatus(botCore.listNamespacedConfigMap({ namespace }), 403, 'Forbidden');
  assert.equal(list.message, `configmaps is forbidden: User "${user}" cannot list resource "configmaps" in API group "" in the namespace "${namespace}"`);
  assert.deepEqual([list.details?.kind, list.details?.name], ['configmaps', undefined]);
  const get = await expectStatus(botCore.readNamespacedSecret({ namespace, name: 'db' }), 403, 'Forbidden');
  assert.equal(get.message, `secrets "db" is forbidden: User "${user}" cannot get resource "secrets" in API group "" in the namespace "${namespace}"`);
  const deploy = await expectStatus(bot.makeApiClient(AppsV1Api).listNamespacedDeployment({ namespace }), 403, 'Forbidden');
  assert.equal(deploy.message, `deployments.apps is forbidden: User "${user}" cannot list resource "deployments" in API group "apps" in the namespace "${namespace}"`);
  assert.equal(deploy.details?.group, 'apps');
  const nsList = await expectStatus(botCore.listNamespace(), 403, 'Forbidden');
  assert.equal(nsList.message, `namespaces is forbidden: User "${user}" cannot list resource "namespaces" in API group "" at the cluster scope`);

  const rbac = kc.makeApiClient(RbacAuthorizationV1Api);
  await rbac.createNamespacedRole({ namespace, body: { metadata: { name: 'cm-reader' }, rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list'] }] } });
  await rbac.createNamespacedRoleBinding({
    namespace,
    body: { metadata: { name: 'bot-reads' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'cm-reader' }, subjects: [{ kind: 'ServiceAccount', name: 'bot', namespace }] },
  });
  await core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'cfg' }, data: { a: '1' } } });
  assert.deepEqual((await botCore.listNamespacedConfigMap({ namespace })).items.map((c) => c.metadata?.name).filter((n) => n === 'cfg'), ['cfg']);
  assert.equal((await botCore.readNamespacedConfigMap({ namespace, name: 'cfg' })).data?.a, '1');
  const watch = await rawRequest(bot, `/api/v1/namespaces/${namespace}/configmaps?watch=true&timeoutSeconds=1`);
  assert.equal(watch.status, 403);
  assert.equal(watch.json<{ message: string }>().message, `configmaps is forbidden: User "${user}" cannot watch resource "configmaps" in API group "" in the namespace "${namespace}"`);
  const create = await expectStatus(botCore.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'x' } } }), 403, 'Forbidden');
  assert.equal(create.message, `configmaps is forbidden: User "${user}" cannot create resource "configmaps" in API group "" in the namespace "${namespace}"`);
});

test('resourceNames, subresources, ClusterRoleBindings and SelfSubjectAccessReview', async (t) => {
  const { kc, namespace } = await clusterUnderTest(t);
  const core = kc.makeApiClient(CoreV1Api);
  const rbac = kc.makeApiClient(RbacAuthorizationV1Api);
  await core.createNamespacedServiceAccount({ namespace, body: { metadata: { name: 'ops' } } });
  const ops = kubeConfigWithToken(kc, await tokenFor(kc, namespace, 'ops'));
  const user = `system:serviceaccount:${namespace}:ops`;
  await rbac.createNamespacedRole({
    namespace,
    body: {
      metadata: { name: 'narrow' },
      rules: [
        { apiGroups: [''], resources: ['configmaps'], resourceNames: ['mine'], verbs: ['get', 'update', 'patch'] },
        { apiGroups: [''], resources: ['pods/status'], verbs: ['patch'] },
      ],
    },
  });
  await rbac.createNamespacedRoleBinding({
    namespace, body: { metadata: { name: 'ops-narrow' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'narrow' }, subjects: [{ kind: 'ServiceAccount', name: 'ops', namespace }] },
  });
  await core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'mine' } } });
  await core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'theirs' } } });
  await core.createNamespacedPod({ namespace, body: { metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'x:1' }] } } });
  const opsCore = ops.makeApiClient(CoreV1Api);
  await opsCore.readNamespacedConfigMap({ namespace, name: 'mine' });
  const theirs = await expectStatus(opsCore.readNamespacedConfigMap({ namespace, name: 'theirs' }), 403, 'Forbidden');
  assert.equal(theirs.details?.name, 'theirs');
  await expectStatus(opsCore.listNamespacedConfigMap({ namespace }), 403, 'Forbidden');
  const patched = await opsCore.patchNamespacedPodStatus({ namespace, name: 'p', body: [{ op: 'add', path: '/status/message', value: 'hi' }] });
  assert.equal(patched.status?.message, 'hi');
  const podPatch = await expectStatus(opsCore.patchNamespacedPod({ namespace, name: 'p', body: [{ op: 'add', path: '/metadata/labels', value: { a: 'b' } }] }), 403, 'Forbidden');
  assert.equal(podPatch.message, `pods "p" is forbidden: User "${user}" cannot patch resource "pods" in API group "" in the namespace "${namespace}"`);

  const crName = `ns-viewer-${namespace}`;
  await rbac.createClusterRole({ body: { metadata: { name: crName }, rules: [{ apiGroups: [''], resources: ['namespaces'], verbs: ['get', 'list', 'watch'] }] } });
  await rbac.createClusterRoleBinding({
    body: { metadata: { name: crName }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: crName }, subjects: [{ kind: 'ServiceAccount', name: 'ops', namespace }] },
  });
  assert.ok((await opsCore.listNamespace()).items.some((n) => n.metadata?.name === namespace));

  const authz = ops.makeApiClient(AuthorizationV1Api);
  const can = async (resourceAttributes: Record<string, string>): Promise<boolean | undefined> =>
    (await authz.createSelfSubjectAccessReview({ body: { spec: { resourceAttributes } } })).status?.allowed;
  assert.equal(await can({ namespace, verb: 'get', resource: 'configmaps', name: 'mine' }), true);
  assert.equal(await can({ namespace, verb: 'get', resource: 'configmaps', name: 'theirs' }), false);
  assert.equal(await can({ namespace, verb: 'patch', resource: 'pods', subresource: 'status' }), true);
  assert.equal(await can({ verb: 'watch', resource: 'namespaces' }), true);
  assert.equal(await can({ verb: 'delete', resource: 'namespaces' }), false);
  await rbac.deleteClusterRoleBinding({ name: crName });
  await rbac.deleteClusterRole({ name: crName });
});

test('token Secrets are filled by the token controller and stop working with their ServiceAccount', async (t) => {
  const { kc, namespace } = await clusterUnderTest(t);
  const core = kc.makeApiClient(CoreV1Api);
  await core.createNamespacedServiceAccount({ namespace, body: { metadata: { name: 'legacy' } } });
  await core.createNamespacedSecret({
    namespace, body: { metadata: { name: 'legacy-token', annotations: { 'kubernetes.io/service-account.name': 'legacy' } }, type: 'kubernetes.io/service-account-token' },
  });
  const secret = await eventually(async () => {
    const s = await core.readNamespacedSecret({ namespace, name: 'legacy-token' });
    return s.data?.token === undefined ? undefined : s;
  });
  assert.equal(Buffer.from(secret.data!.namespace!, 'base64').toString(), namespace);
  assert.match(Buffer.from(secret.data!['ca.crt']!, 'base64').toString(), /BEGIN CERTIFICATE/);
  const legacy = kubeConfigWithToken(kc, Buffer.from(secret.data!.token!, 'base64').toString());
  const review = await legacy.makeApiClient(AuthorizationV1Api).createSelfSubjectAccessReview({ body: { spec: { nonResourceAttributes: { path: '/healthz', verb: 'get' } } } });
  assert.equal(review.status?.allowed, true);
  await core.deleteNamespacedServiceAccount({ namespace, name: 'legacy' });
  await eventually(async () => ((await rawRequest(legacy, '/apis')).status === 401 ? true : undefined));
});

test('the admin may impersonate a ServiceAccount (kubectl --as)', async (t) => {
  const { kc, namespace } = await clusterUnderTest(t);
  const core = kc.makeApiClient(CoreV1Api);
  await core.createNamespacedServiceAccount({ namespace, body: { metadata: { name: 'bot' } } });
  const as = `system:serviceaccount:${namespace}:bot`;
  const denied = await rawRequest(kc, `/api/v1/namespaces/${namespace}/pods`, { headers: { 'Impersonate-User': as } });
  assert.equal(denied.status, 403);
  assert.equal(denied.json<{ message: string }>().message, `pods is forbidden: User "${as}" cannot list resource "pods" in API group "" in the namespace "${namespace}"`);
  const review = await rawRequest(kc, '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', {
    method: 'POST', headers: { 'Impersonate-User': as, 'Content-Type': 'application/json' },
    body: JSON.stringify({ apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', spec: { resourceAttributes: { namespace, verb: 'list', resource: 'pods' } } }),
  });
  assert.equal(review.status, 201);
  assert.equal(review.json<{ status: { allowed: boolean } }>().status.allowed, false);
});
