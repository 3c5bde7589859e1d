// `helm template` assumes the Kubernetes we test against (the build stamps 1.37 into Helm; unstamped, Helm 3 assumes
// 1.20), the chart refuses clusters older than it supports, and on 1.37 the operator injects native sidecars.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { decideNativeSidecars, parseOperatorConfig } from '../../operator/src/config.ts';
import { pinnedVersionOf } from '../cluster/upstream/build-upstream.ts';
import { HELM_ASSUMED_KUBERNETES } from '../cluster/upstream/components.ts';
import { runHelmChecked } from './support/helm.ts';
import { parseManifests } from './support/parse-manifests.ts';
import { operatorContainer, processEnv } from './support/pod-template.ts';
import { findObject, renderChart, renderChartError } from './support/render-chart.ts';

const CAPABILITIES_CHART = join(import.meta.dirname, 'fixtures', 'capabilities');

function minorLine(version: string): string {
  return version.replace(/^v/, '').split('.').slice(0, 2).join('.');
}

async function renderCapabilities(extraArgs: string[] = []): Promise<Record<string, string>> {
  const rendered = parseManifests((await runHelmChecked(['template', 'capabilities', CAPABILITIES_CHART, ...extraArgs])).stdout);
  return findObject(rendered, 'ConfigMap', 'capabilities').data as Record<string, string>;
}

test('helm template assumes Kubernetes 1.37, the version the control plane is built at', async () => {
  const capabilities = await renderCapabilities();
  const kubernetes = pinnedVersionOf('kubernetes');
  assert.equal(minorLine(kubernetes), '1.37');
  assert.equal(minorLine(HELM_ASSUMED_KUBERNETES), minorLine(kubernetes), 'components.ts stamps the Kubernetes line we pin into Helm');
  assert.equal(capabilities.kubeVersion, 'v1.37.0');
  assert.deepEqual([capabilities.major, capabilities.minor], ['1', '37']);
  assert.equal(capabilities.helmVersion, pinnedVersionOf('helm'));
  assert.equal(capabilities.servesAdmissionV1, 'true');
  assert.equal(capabilities.servesPolicyV1, 'true');
});

test('the chart requires Kubernetes 1.21 or newer (a provider suffix is fine), so the assumed 1.37 renders', async () => {
  assert.ok((await renderChart()).length > 0);
  assert.ok((await renderChart({ kubeVersion: 'v1.30.2-eks-4a1b2c3' })).length > 0);
  assert.match(await renderChartError({ kubeVersion: '1.20.15' }), /chart requires kubeVersion: >=1\.21\.0-0 which is incompatible with Kubernetes v1\.20\.15/);
});

test('native sidecars: the chart leaves the choice to the operator (auto), which picks them on the 1.37 Helm assumes', async () => {
  const capabilities = await renderCapabilities();
  const deployment = findObject(await renderChart(), 'Deployment');
  const parsed = parseOperatorConfig([], processEnv(operatorContainer(deployment), { namespace: 'tapr-system', name: 'tapr-ws-abc' }));
  assert.ok(parsed.ok, parsed.ok ? '' : parsed.error);
  assert.equal(parsed.config.nativeSidecars, 'auto');
  assert.equal(decideNativeSidecars(parsed.config.nativeSidecars, { major: capabilities.major!, minor: capabilities.minor! }), true);
  // The same render on a cluster before 1.29 gets classic sidecar containers.
  const older = await renderCapabilities(['--kube-version', '1.28.9']);
  assert.equal(decideNativeSidecars(parsed.config.nativeSidecars, { major: older.major!, minor: older.minor! }), false);
});
