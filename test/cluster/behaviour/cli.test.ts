// Behaviour of `npm run cluster` (test/cluster/main.ts): one ready line, a working kubeconfig, clean exit on SIGTERM.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';

test('main prints the ready line, serves the kubeconfig it wrote, and exits 0 on SIGTERM', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'tapr-cli-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const child = spawn(process.execPath, [new URL('../main.ts', import.meta.url).pathname, '--dir', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  t.after(() => { if (child.exitCode === null) child.kill('SIGKILL'); });
  let stdout = '';
  child.stdout.on('data', (c: Buffer) => { stdout += c.toString(); });
  const deadline = Date.now() + 20_000;
  while (!stdout.includes('\n') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  assert.equal(stdout, `cluster ready: kubeconfig=${join(dir, 'kubeconfig')}\n`);
  const kc = new KubeConfig();
  kc.loadFromString(await readFile(join(dir, 'kubeconfig'), 'utf8'));
  assert.match(kc.getCurrentCluster()?.server ?? '', /^https:\/\/127\.0\.0\.1:\d+$/);
  const namespaces = await kc.makeApiClient(CoreV1Api).listNamespace();
  assert.deepEqual(namespaces.items.map((n) => n.metadata?.name).filter((n) => n === 'default' || n === 'kube-system'), ['default', 'kube-system']);
  child.kill('SIGTERM');
  assert.equal(await exited, 0);
});

test('main refuses to start without --dir', async () => {
  const child = spawn(process.execPath, [new URL('../main.ts', import.meta.url).pathname], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => { stderr += c.toString(); });
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  assert.equal(code, 2);
  assert.match(stderr, /--dir: required/);
});
