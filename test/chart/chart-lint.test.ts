// `helm lint --strict` accepts the chart with its defaults and with every example values file: no error and no warning
// (Helm's deprecated-API check included, which assumes the Kubernetes the build stamps into Helm, 1.37).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { runHelm } from './support/helm.ts';
import { CHART_DIR, VALUES_DIR } from './support/render-chart.ts';

const VALUES_FILES = readdirSync(VALUES_DIR).filter((name) => name.endsWith('.yaml')).sort();

/** The lines helm lint reports at WARNING or ERROR level (INFO, such as "icon is recommended", is advice). */
function findings(output: string): string[] {
  return output.split('\n').filter((line) => /^\[(WARNING|ERROR)\]/.test(line));
}

test('helm lint --strict passes with the default values', async () => {
  const result = await runHelm(['lint', '--strict', CHART_DIR]);
  assert.equal(result.code, 0, `helm lint failed:\n${result.stdout}${result.stderr}`);
  assert.deepEqual(findings(result.stdout), []);
  assert.match(result.stdout, /1 chart\(s\) linted, 0 chart\(s\) failed/);
});

for (const file of VALUES_FILES) {
  test(`helm lint --strict passes with values/${file}`, async () => {
    const result = await runHelm(['lint', '--strict', CHART_DIR, '--values', join(VALUES_DIR, file)]);
    assert.equal(result.code, 0, `helm lint -f ${file} failed:\n${result.stdout}${result.stderr}`);
    assert.deepEqual(findings(result.stdout), []);
  });
}

test('helm lint fails on values the schema refuses, naming the key', async () => {
  const result = await runHelm(['lint', CHART_DIR, '--set', 'replicaCont=3']);
  assert.notEqual(result.code, 0);
  assert.ok(findings(result.stdout).some((line) => line.startsWith('[ERROR] values.yaml') && line.includes('replicaCont')),
    `an ERROR on values.yaml naming replicaCont:\n${result.stdout}`);
  assert.match(result.stderr, /1 chart\(s\) linted, 1 chart\(s\) failed/);
});
