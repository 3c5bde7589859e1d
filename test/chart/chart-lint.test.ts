// `helm lint` accepts the chart with its defaults and with every example values file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { runHelm } from './support/helm.ts';
import { CHART_DIR, VALUES_DIR } from './support/render-chart.ts';

const VALUES_FILES = readdirSync(VALUES_DIR).filter((name) => name.endsWith('.yaml')).sort();

test('helm lint passes with the default values', async () => {
  const result = await runHelm(['lint', CHART_DIR]);
  assert.equal(result.code, 0, `helm lint failed:\n${result.stdout}${result.stderr}`);
  assert.match(result.stdout, /1 chart\(s\) linted, 0 chart\(s\) failed/);
});

for (const file of VALUES_FILES) {
  test(`helm lint passes with values/${file}`, async () => {
    const result = await runHelm(['lint', CHART_DIR, '--values', join(VALUES_DIR, file)]);
    assert.equal(result.code, 0, `helm lint -f ${file} failed:\n${result.stdout}${result.stderr}`);
  });
}

test('helm lint fails on values the schema refuses', async () => {
  const result = await runHelm(['lint', CHART_DIR, '--set', 'replicaCont=3']);
  assert.notEqual(result.code, 0);
  assert.match(`${result.stdout}${result.stderr}`, /replicaCont/);
});
