// The chart ships the one CRD of crds/ unchanged (crds/ is the single source of truth), and Helm installs it from there.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { CHART_DIR, REPO_ROOT, renderChart } from './support/render-chart.ts';

const SOURCE_CRD = join(REPO_ROOT, 'crds', 'websocketgateways.tapr.io.yaml');

test('the chart\'s crds/ holds exactly the project CRDs, byte for byte', async () => {
  const chartCrds = (await readdir(join(CHART_DIR, 'crds'))).sort();
  const sourceCrds = (await readdir(join(REPO_ROOT, 'crds'))).filter((name) => name.endsWith('.yaml')).sort();
  assert.deepEqual(chartCrds, sourceCrds, 'charts/tapr-ws/crds/ and crds/ list different files: copy crds/*.yaml into the chart');
  for (const name of sourceCrds) {
    const [chartCopy, source] = await Promise.all([readFile(join(CHART_DIR, 'crds', name)), readFile(join(REPO_ROOT, 'crds', name))]);
    assert.ok(chartCopy.equals(source), `charts/tapr-ws/crds/${name} differs from crds/${name}: run cp crds/${name} charts/tapr-ws/crds/`);
  }
});

test('helm renders the CRD with --include-crds and never from templates/', async () => {
  const withCrds = await renderChart({ includeCrds: true });
  const crds = withCrds.filter((object) => object.kind === 'CustomResourceDefinition');
  assert.deepEqual(crds, [load(await readFile(SOURCE_CRD, 'utf8'))]);
  const withoutCrds = await renderChart();
  assert.equal(withoutCrds.filter((object) => object.kind === 'CustomResourceDefinition').length, 0,
    'a CRD in templates/ would be deleted by helm uninstall together with every WebSocketGateway');
});
