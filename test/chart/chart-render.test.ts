// Every rendered object, for every scenario, is valid for its kind and carries the standard labels.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_NAMESPACE, renderChart } from './support/render-chart.ts';
import { validateObject } from './support/validate-object.ts';
import { SCENARIOS } from './scenarios.ts';

const CLUSTER_SCOPED = new Set(['ClusterRole', 'ClusterRoleBinding', 'MutatingWebhookConfiguration', 'CustomResourceDefinition']);

for (const scenario of SCENARIOS) {
  test(`${scenario.name}: every object is valid for its kind (published Kubernetes schemas, unknown fields refused)`, async () => {
    const objects = await renderChart({ ...scenario.options, includeCrds: true });
    assert.ok(objects.length >= 10, `only ${objects.length} objects rendered`);
    assert.deepEqual(objects.flatMap(validateObject), []);
  });

  test(`${scenario.name}: every object has the app.kubernetes.io and helm.sh/chart labels and a proper namespace`, async () => {
    const namespace = scenario.options.namespace ?? DEFAULT_NAMESPACE;
    const objects = await renderChart(scenario.options);
    const names = new Set<string>();
    for (const object of objects) {
      const label = `${object.kind}/${object.metadata.name}`;
      const key = `${label}/${object.metadata.namespace ?? ''}`;
      assert.ok(!names.has(key), `${key} rendered twice`);
      names.add(key);
      const labels = object.metadata.labels ?? {};
      assert.match(labels['helm.sh/chart'] ?? '', /^tapr-ws-\d+\.\d+\.\d+/, `${label}: helm.sh/chart`);
      assert.equal(labels['app.kubernetes.io/name'], 'tapr-ws', `${label}: app.kubernetes.io/name`);
      assert.equal(labels['app.kubernetes.io/instance'], scenario.options.releaseName ?? 'tapr-ws', `${label}: app.kubernetes.io/instance`);
      assert.equal(labels['app.kubernetes.io/managed-by'], 'Helm', `${label}: app.kubernetes.io/managed-by`);
      assert.equal(labels['app.kubernetes.io/version'], '0.1.0', `${label}: app.kubernetes.io/version`);
      if (CLUSTER_SCOPED.has(object.kind)) assert.equal(object.metadata.namespace, undefined, `${label} is cluster-scoped`);
      else if (!(object.kind.startsWith('Role') && object.metadata.name.endsWith('-watch'))) {
        assert.equal(object.metadata.namespace, namespace, `${label} belongs in the release namespace`);
      }
    }
  });
}
