// --watch-namespaces with a list, on the local cluster with RBAC enforced: the operator runs as a ServiceAccount that
// has Roles only in the watched namespace (plus its own namespace's Secret and the webhook registration), injects and
// reports a Deployment there, and leaves a Deployment and pods in another namespace alone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildKubeconfig } from '../cluster/kubeconfig.ts';
import type { ApiClient } from '../../operator/src/kube/api-client.ts';
import { connectWithKubeconfigText } from '../../operator/src/kube/cluster-connection.ts';
import { startOperator } from '../../operator/src/start-operator.ts';
import {
  condition, createDeployment, createManifest, eventually, gatewayPath, getIfExists, manifestText, OPERATOR_NAMESPACE,
  startTestCluster, testOperatorOptions, testSettings, uniqueName, type GatewayObject,
} from './operator-env.ts';

const SERVICE_ACCOUNT = 'tapr-ws-operator';
const WEBHOOK_CONFIGURATION = 'tapr-ws-watch-namespaces';

/** What the operator needs in a watched namespace (the chart's rules for a namespace list). */
const WATCHED_NAMESPACE_RULES = [
  { apiGroups: ['apps'], resources: ['deployments'], verbs: ['list', 'watch'] },
  { apiGroups: [''], resources: ['pods', 'configmaps'], verbs: ['list', 'watch'] },
  { apiGroups: [''], resources: ['services'], verbs: ['list', 'watch', 'create', 'patch'] },
  { apiGroups: ['tapr.io'], resources: ['websocketgateways'], verbs: ['list', 'watch', 'create', 'patch', 'delete'] },
  { apiGroups: ['tapr.io'], resources: ['websocketgateways/status'], verbs: ['patch'] },
  { apiGroups: [''], resources: ['events'], verbs: ['create'] },
];

async function bind(api: ApiClient, kind: 'Role' | 'ClusterRole', namespace: string | undefined, name: string, rules: Record<string, unknown>[]): Promise<void> {
  const base = kind === 'Role' ? `/apis/rbac.authorization.k8s.io/v1/namespaces/${namespace}` : '/apis/rbac.authorization.k8s.io/v1';
  const metadata = { name, ...(namespace === undefined ? {} : { namespace }) };
  await api.request({ method: 'POST', path: `${base}/${kind === 'Role' ? 'roles' : 'clusterroles'}`, body: { apiVersion: 'rbac.authorization.k8s.io/v1', kind, metadata, rules } });
  await api.request({
    method: 'POST', path: `${base}/${kind === 'Role' ? 'rolebindings' : 'clusterrolebindings'}`,
    body: {
      apiVersion: 'rbac.authorization.k8s.io/v1', kind: `${kind}Binding`, metadata,
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind, name },
      subjects: [{ kind: 'ServiceAccount', name: SERVICE_ACCOUNT, namespace: OPERATOR_NAMESPACE }],
    },
  });
}

async function createLabelledPod(api: ApiClient, namespace: string, name: string): Promise<{ spec: { initContainers?: { name: string }[]; containers: { name: string }[] } }> {
  return await api.request({
    method: 'POST', path: `/api/v1/namespaces/${namespace}/pods`,
    body: { apiVersion: 'v1', kind: 'Pod', metadata: { name, labels: { 'tapr.io/manifest': 'chat-manifest' } }, spec: { containers: [{ name: 'app', image: 'chat:1' }] } },
  });
}

const hasGateway = (pod: { spec: { initContainers?: { name: string }[]; containers: { name: string }[] } }): boolean =>
  [...(pod.spec.initContainers ?? []), ...pod.spec.containers].some((container) => container.name === 'ws-gateway');

test('limited to one namespace with only namespaced RBAC there: injects and reports a Deployment in it, leaves another namespace alone', async (t) => {
  const { cluster, api, stop } = await startTestCluster({ images: false });
  t.after(stop);
  const watched = uniqueName('watched');
  const other = uniqueName('other');
  for (const namespace of [watched, other]) {
    // The API server labels every namespace kubernetes.io/metadata.name=<name>: the webhook's namespaceSelector relies on it.
    await api.request({
      method: 'POST', path: '/api/v1/namespaces',
      body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } },
    });
    await createManifest(api, namespace, 'chat-manifest', manifestText({ url: '/ws', port: 8888 }));
  }
  await api.request({ method: 'POST', path: `/api/v1/namespaces/${OPERATOR_NAMESPACE}/serviceaccounts`, body: { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: SERVICE_ACCOUNT } } });
  await bind(api, 'Role', watched, 'tapr-ws-operator', WATCHED_NAMESPACE_RULES);
  await bind(api, 'Role', OPERATOR_NAMESPACE, 'tapr-ws-operator', [{ apiGroups: [''], resources: ['secrets'], verbs: ['get', 'create', 'update'] }]);
  await bind(api, 'ClusterRole', undefined, 'tapr-ws-operator-webhook', [
    { apiGroups: ['admissionregistration.k8s.io'], resources: ['mutatingwebhookconfigurations'], verbs: ['get', 'create', 'update'] },
  ]);
  const token = await cluster.serviceAccountToken(OPERATOR_NAMESPACE, SERVICE_ACCOUNT);
  const connection = await connectWithKubeconfigText(buildKubeconfig({ server: cluster.server, caPem: cluster.caPem, token, userName: SERVICE_ACCOUNT }));
  // The Deployment outside is there first, so the operator would have seen it before the watched one.
  await createDeployment(api, other, 'chat', 'chat-manifest');

  const logs: Record<string, unknown>[] = [];
  const operator = await startOperator(testOperatorOptions(connection, testSettings(), logs, {
    watchNamespaces: [watched], webhookConfigurationName: WEBHOOK_CONFIGURATION,
  }));
  t.after(() => operator.stop());

  await createDeployment(api, watched, 'chat', 'chat-manifest');
  await eventually('the CR in the watched namespace with ManifestValid=True', async () => {
    const gateway = await getIfExists<GatewayObject>(api, gatewayPath(watched, 'chat'));
    return condition(gateway, 'ManifestValid')?.status === 'True' ? gateway : undefined;
  });
  assert.ok(hasGateway(await createLabelledPod(api, watched, 'p')), 'a labelled pod in the watched namespace is injected');

  const admissions = operator.counters.admissions;
  assert.equal(hasGateway(await createLabelledPod(api, other, 'p')), false, 'a labelled pod elsewhere is admitted unchanged');
  assert.equal(operator.counters.admissions, admissions, 'without even calling the webhook (namespaceSelector)');
  assert.equal(await getIfExists(api, gatewayPath(other, 'chat')), undefined, 'no CR for the Deployment elsewhere');
  assert.equal(await getIfExists(api, `/api/v1/namespaces/${other}/services/chat-ws`), undefined, 'no Service elsewhere');
  const registered = await api.request<{ webhooks: { namespaceSelector: unknown }[] }>({
    method: 'GET', path: `/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations/${WEBHOOK_CONFIGURATION}`,
  });
  assert.deepEqual(registered.webhooks[0]!.namespaceSelector, { matchExpressions: [
    { key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: ['kube-system', OPERATOR_NAMESPACE] },
    { key: 'kubernetes.io/metadata.name', operator: 'In', values: [watched] },
  ] });
  assert.deepEqual(logs.filter((entry) => entry.level === 'warn' || entry.level === 'error'), [], 'no watch or reconcile was refused');
});
