// The operator's ServiceAccount gets exactly the access its API calls need (operator/README.md "API access"), no
// wildcard, Secrets and the webhook configuration only by name, and namespaced access only where it watches.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findObject, renderChart, type RenderOptions } from './support/render-chart.ts';
import { podSpecOf } from './support/pod-template.ts';
import { allRules, grantedPermissions } from './support/rbac.ts';

interface Needs {
  namespace: string;
  /** 'cluster' or the watched namespaces. */
  watch: 'cluster' | string[];
  selfManaged: boolean;
  redisSecret?: string;
  /** The Redis Secret is copied into app namespaces (redis.secretInPods). */
  redisSecretCopies?: boolean;
  restartOutdated?: boolean;
  /** gateway.networkPolicy.enabled: the per-app NetworkPolicy. */
  networkPolicies?: boolean;
  leaseName: string;
}

/** What the operator calls, from operator/src (informers, reconciler, restarter, certificates, Lease, Redis, /version), and the owner references it sets. */
function operatorNeeds(needs: Needs): string[] {
  const watched = (scope: string): string[] => [
    ...['list', 'watch', ...(needs.restartOutdated === true ? ['patch'] : [])].map((verb) => `${scope} apps/deployments ${verb} *`),
    `${scope} /pods list *`, `${scope} /pods watch *`,
    `${scope} /configmaps list *`, `${scope} /configmaps watch *`,
    ...['list', 'watch', 'create', 'patch'].map((verb) => `${scope} /services ${verb} *`),
    ...['list', 'watch', 'create', 'patch', 'delete'].map((verb) => `${scope} tapr.io/websocketgateways ${verb} *`),
    `${scope} tapr.io/websocketgateways/status patch *`,
    // Owner references with blockOwnerDeletion (CR → Deployment, -ws Service → CR): OwnerReferencesPermissionEnforcement.
    `${scope} apps/deployments/finalizers update *`,
    `${scope} tapr.io/websocketgateways/finalizers update *`,
    `${scope} /events create *`,
    ...(needs.networkPolicies === true ? ['list', 'watch', 'create', 'patch'].map((verb) => `${scope} networking.k8s.io/networkpolicies ${verb} *`) : []),
    ...(needs.redisSecretCopies === true
      ? [`${scope} /secrets create *`, `${scope} /secrets get ${needs.redisSecret}`, `${scope} /secrets update ${needs.redisSecret}`]
      : []),
  ];
  const checkedNamespaces = [...new Set([needs.namespace, ...(needs.watch === 'cluster' ? [] : needs.watch)])];
  return [
    'cluster url:/version get',
    // The start-up check: its own and every watched Namespace, by name.
    ...checkedNamespaces.map((name) => `cluster /namespaces get ${name}`),
    ...(needs.watch === 'cluster' ? watched('cluster') : needs.watch.flatMap(watched)),
    ...(needs.selfManaged ? [
      // The chart names them after the release (its full name, which also names the Lease).
      `cluster admissionregistration.k8s.io/mutatingwebhookconfigurations get ${needs.leaseName}`,
      `cluster admissionregistration.k8s.io/mutatingwebhookconfigurations update ${needs.leaseName}`,
      `${needs.namespace} /secrets get ${needs.leaseName}-webhook-tls`,
      `${needs.namespace} /secrets update ${needs.leaseName}-webhook-tls`,
    ] : []),
    ...(needs.redisSecret === undefined ? [] : [`${needs.namespace} /secrets get ${needs.redisSecret}`]),
    `${needs.namespace} coordination.k8s.io/leases create *`,
    `${needs.namespace} coordination.k8s.io/leases get ${needs.leaseName}`,
    `${needs.namespace} coordination.k8s.io/leases update ${needs.leaseName}`,
  ].sort();
}

const CASES: { name: string; options: RenderOptions; needs: Needs }[] = [
  { name: 'default values', options: {}, needs: { namespace: 'tapr-system', watch: 'cluster', selfManaged: true, leaseName: 'tapr-ws' } },
  {
    name: 'cert-manager: no Secret and no webhook configuration access', options: { valuesFiles: ['cert-manager.yaml'] },
    needs: { namespace: 'tapr-system', watch: 'cluster', selfManaged: false, leaseName: 'tapr-ws' },
  },
  {
    name: 'Redis with the URL in pod specs: get on that one Secret', options: { valuesFiles: ['redis.yaml'], set: ['redis.secretInPods=false'] },
    needs: { namespace: 'tapr-system', watch: 'cluster', selfManaged: true, redisSecret: 'tapr-ws-redis', leaseName: 'tapr-ws' },
  },
  {
    name: 'one namespace: namespaced access only there', options: { valuesFiles: ['one-namespace.yaml'] },
    needs: { namespace: 'tapr-system', watch: ['apps'], selfManaged: true, leaseName: 'tapr-ws' },
  },
  {
    name: 'two namespaces, another release namespace', options: { namespace: 'ops', set: ['watchNamespaces[0]=team-b', 'watchNamespaces[1]=team-a'], releaseName: 'ws' },
    needs: { namespace: 'ops', watch: ['team-a', 'team-b'], selfManaged: true, leaseName: 'ws-tapr-ws' },
  },
  {
    name: 'production-like: restarts patch Deployments, the Redis Secret is copied into app namespaces', options: { valuesFiles: ['production.yaml'] },
    needs: {
      namespace: 'tapr-system', watch: 'cluster', selfManaged: true, redisSecret: 'tapr-ws-redis', redisSecretCopies: true, restartOutdated: true, leaseName: 'tapr-ws',
    },
  },
  {
    name: 'per-app NetworkPolicy: networkpolicies list, watch, create, patch', options: { valuesFiles: ['gateway-network-policy.yaml'] },
    needs: { namespace: 'tapr-system', watch: 'cluster', selfManaged: true, networkPolicies: true, leaseName: 'tapr-ws' },
  },
  {
    name: 'per-app NetworkPolicy in one namespace: only there', options: { valuesFiles: ['gateway-network-policy.yaml', 'one-namespace.yaml'] },
    needs: { namespace: 'tapr-system', watch: ['apps'], selfManaged: true, networkPolicies: true, leaseName: 'tapr-ws' },
  },
  {
    name: 'one namespace with Redis copies (the default): Secret writes only there', options: { valuesFiles: ['one-namespace.yaml', 'redis.yaml'] },
    needs: { namespace: 'tapr-system', watch: ['apps'], selfManaged: true, redisSecret: 'tapr-ws-redis', redisSecretCopies: true, leaseName: 'tapr-ws' },
  },
];

for (const { name, options, needs } of CASES) {
  test(`RBAC grants exactly what the operator calls — ${name}`, async () => {
    const objects = await renderChart(options);
    const account = objects.find((object) => object.kind === 'ServiceAccount');
    assert.ok(account !== undefined);
    assert.equal(podSpecOf(findObject(objects, 'Deployment')).serviceAccountName, account.metadata.name, 'the operator runs as the bound account');
    assert.deepEqual(grantedPermissions(objects, { namespace: needs.namespace, name: account.metadata.name }), operatorNeeds(needs));
  });
}

test('RBAC has no wildcard, reaches Secrets and the webhook configuration only by name (Secret create: only for Redis copies), and never escalates', async () => {
  const renders: { options: RenderOptions; redisSecretCopies: boolean }[] = [
    { options: {}, redisSecretCopies: false },
    { options: { valuesFiles: ['one-namespace.yaml', 'redis.yaml'], set: ['redis.secretInPods=false'] }, redisSecretCopies: false },
    { options: { valuesFiles: ['production.yaml'] }, redisSecretCopies: true },
  ];
  for (const { options, redisSecretCopies } of renders) {
    const objects = await renderChart(options);
    const rules = allRules(objects);
    assert.ok(rules.length > 0);
    for (const { role, rule } of rules) {
      const fields = [...(rule.apiGroups ?? []), ...(rule.resources ?? []), ...rule.verbs, ...(rule.resourceNames ?? []), ...(rule.nonResourceURLs ?? [])];
      assert.ok(!fields.some((field) => field.includes('*')), `${role} has a wildcard: ${JSON.stringify(rule)}`);
      assert.ok(!rule.verbs.some((verb) => ['escalate', 'bind', 'impersonate'].includes(verb)), `${role}: ${JSON.stringify(rule)}`);
      const resources = rule.resources ?? [];
      if (resources.includes('secrets') || resources.includes('mutatingwebhookconfigurations')) {
        // RBAC cannot limit create to a name; the only Secret the operator creates is the Redis copy in app namespaces.
        const unnamedAllowed = resources.includes('secrets') && rule.verbs.length === 1 && rule.verbs[0] === 'create' && redisSecretCopies;
        assert.ok((rule.resourceNames ?? []).length > 0 || unnamedAllowed, `${role} reaches ${resources.join(',')} without resourceNames: ${JSON.stringify(rule)}`);
      }
      assert.ok(!resources.some((resource) => ['roles', 'clusterroles', 'rolebindings', 'clusterrolebindings', 'pods/exec'].includes(resource)), role);
    }
  }
});

test('watching one namespace grants nothing namespaced cluster-wide', async () => {
  const objects = await renderChart({ valuesFiles: ['one-namespace.yaml'] });
  const clusterRole = objects.find((object) => object.kind === 'ClusterRole');
  assert.ok(clusterRole !== undefined);
  const clusterResources = allRules([clusterRole]).flatMap(({ rule }) => rule.resources ?? []);
  // Both cluster-scoped and by name only: the webhook configuration, and the Namespaces the start-up check reads.
  assert.deepEqual(clusterResources, ['mutatingwebhookconfigurations', 'namespaces']);
  assert.ok(allRules([clusterRole]).every(({ rule }) => rule.resources === undefined || (rule.resourceNames ?? []).length > 0), 'by name only');
  const watchRole = objects.find((object) => object.kind === 'Role' && object.metadata.namespace === 'apps');
  assert.ok(watchRole !== undefined, 'a Role in the watched namespace');
});

test('an existing ServiceAccount: none rendered, every binding names it; its name is required', async () => {
  const objects = await renderChart({ set: ['serviceAccount.create=false', 'serviceAccount.name=platform-operator'] });
  assert.equal(objects.filter((object) => object.kind === 'ServiceAccount').length, 0);
  assert.ok(grantedPermissions(objects, { namespace: 'tapr-system', name: 'platform-operator' }).includes('cluster url:/version get'));
  assert.equal(podSpecOf(findObject(objects, 'Deployment')).serviceAccountName, 'platform-operator');
  await assert.rejects(renderChart({ set: ['serviceAccount.create=false'] }), /serviceAccount\.name is required when serviceAccount\.create is false/);
});
