// The chart tests run the real Helm that test/cluster/upstream builds from helm.sh/helm/v3 at the pinned version:
// never a `helm` from PATH, never the user's Helm settings; failures name the command and helm's stderr.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { cacheRoot, pinnedVersionOf } from '../cluster/upstream/build-upstream.ts';
import { buildReleaseArgs, helmBinary, runHelm, runHelmChecked } from './support/helm.ts';
import { CHART_DIR, VALUES_DIR } from './support/chart-paths.ts';
import { renderChart } from './support/render-chart.ts';

test('a helm on PATH is never used: the binary is the cached build of the pinned helm.sh/helm/v3', async (t) => {
  const fakeDir = await mkdtemp(join(tmpdir(), 'fake-helm-'));
  const savedPath = process.env.PATH;
  t.after(async () => {
    process.env.PATH = savedPath;
    await rm(fakeDir, { recursive: true, force: true });
  });
  await writeFile(join(fakeDir, 'helm'), '#!/bin/sh\necho "not the real helm" >&2\nexit 97\n');
  await chmod(join(fakeDir, 'helm'), 0o755);
  process.env.PATH = `${fakeDir}${delimiter}${savedPath ?? ''}`;

  const binary = await helmBinary();
  assert.ok(binary.startsWith(join(cacheRoot(), 'upstream', 'helm-')), `the cached build, not ${binary}`);
  const version = await runHelmChecked(['version', '--template', '{{ .Version }}']);
  assert.equal(version.stdout.trim(), pinnedVersionOf('helm'));
  assert.ok((await renderChart()).length > 0);
});

test('Helm reads none of the user\'s settings: HELM_* and KUBECONFIG from the environment are dropped', async (t) => {
  const saved = { HELM_NAMESPACE: process.env.HELM_NAMESPACE, HELM_KUBECONTEXT: process.env.HELM_KUBECONTEXT };
  t.after(() => {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });
  process.env.HELM_NAMESPACE = 'somebody-elses';
  process.env.HELM_KUBECONTEXT = 'production';
  const env = Object.fromEntries((await runHelmChecked(['env'])).stdout.trim().split('\n').map((line) => {
    const [name = '', ...rest] = line.split('=');
    return [name, JSON.parse(rest.join('='))];
  }));
  assert.equal(env.HELM_NAMESPACE, 'default');
  assert.equal(env.HELM_KUBECONTEXT, '');
  assert.ok(String(env.HELM_CONFIG_HOME).startsWith(cacheRoot()), `config home in the tapr-ws cache: ${env.HELM_CONFIG_HOME}`);
});

test('a failing helm command throws naming the command, the exit code and helm\'s stderr', async () => {
  const result = await runHelm(['template', 'x', '/nonexistent/chart']);
  assert.equal(result.code, 1);
  await assert.rejects(runHelmChecked(['template', 'x', '/nonexistent/chart']), (error: Error) => {
    assert.match(error.message, /^helm template x \/nonexistent\/chart failed \(exit 1\):\n/);
    assert.ok(error.message.includes(result.stderr.trim()), error.message);
    return true;
  });
});

test('release commands: install, upgrade and uninstall against an explicit kubeconfig and namespace', () => {
  const common = { kubeconfigPath: '/tmp/k/kubeconfig', namespace: 'tapr-system' };
  assert.deepEqual(buildReleaseArgs({ ...common, action: 'install', valuesFiles: ['redis.yaml'], set: ['replicaCount=1'], createNamespace: true }), [
    'install', 'tapr-ws', CHART_DIR, '--values', join(VALUES_DIR, 'redis.yaml'), '--set', 'replicaCount=1',
    '--namespace', 'tapr-system', '--kubeconfig', '/tmp/k/kubeconfig', '--timeout', '120s', '--create-namespace',
  ]);
  assert.deepEqual(buildReleaseArgs({ ...common, action: 'upgrade', releaseName: 'ws', wait: true, timeoutSeconds: 30 }), [
    'upgrade', 'ws', CHART_DIR, '--namespace', 'tapr-system', '--kubeconfig', '/tmp/k/kubeconfig', '--timeout', '30s', '--wait',
  ]);
  assert.deepEqual(buildReleaseArgs({ ...common, action: 'uninstall', wait: true }), [
    'uninstall', 'tapr-ws', '--namespace', 'tapr-system', '--kubeconfig', '/tmp/k/kubeconfig', '--timeout', '120s', '--wait',
  ]);
});
