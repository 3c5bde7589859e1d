// The node agent on the real control plane (etcd, kube-apiserver, controller-manager, scheduler; needs root): a
// Deployment's pods are scheduled to local-node, run in their own netns, become Ready, log through `kubectl logs`,
// read the API with their mounted token, end gracefully; nothing is left after stop.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { startControlPlane } from '../../upstream/control-plane.ts';
import { startNodeAgent } from '../start-node-agent.ts';
import { parseLinkNames, parseNetnsList } from './pod-network-names.ts';

const run = promisify(execFile);
const fixture = resolve(import.meta.dirname, '../../fixtures/in-pod-app.ts');
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface PodView {
  metadata: { name: string; uid: string; deletionTimestamp?: string };
  spec: { nodeName?: string };
  status: { phase?: string; podIP?: string; hostIP?: string; conditions?: { type: string; status: string }[]; containerStatuses?: { containerID?: string; ready: boolean }[] };
}

function manifest(markerDir: string): string {
  return JSON.stringify({
    apiVersion: 'v1', kind: 'List', items: [
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'demo' } },
      { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'reader', namespace: 'demo' } },
      { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'pod-reader', namespace: 'demo' }, rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] }] },
      {
        apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'reader', namespace: 'demo' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'pod-reader' }, subjects: [{ kind: 'ServiceAccount', name: 'reader', namespace: 'demo' }],
      },
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'app-config', namespace: 'demo' }, data: { greeting: 'hello' } },
      {
        apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'app', namespace: 'demo' },
        spec: {
          replicas: 2, selector: { matchLabels: { app: 'app' } },
          template: {
            metadata: { labels: { app: 'app' } },
            spec: {
              serviceAccountName: 'reader', terminationGracePeriodSeconds: 10,
              containers: [{
                name: 'app', image: 'example.test/in-pod-app:1',
                env: [
                  { name: 'LIST_PODS', value: '1' }, { name: 'MARKER_DIR', value: markerDir },
                  { name: 'GREETING', valueFrom: { configMapKeyRef: { name: 'app-config', key: 'greeting' } } },
                  { name: 'MY_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
                ],
                readinessProbe: { httpGet: { path: '/healthz', port: 8081 }, periodSeconds: 1 },
                livenessProbe: { exec: { command: [process.execPath, '-e', "require('http').get('http://127.0.0.1:8080/',r=>process.exit(r.statusCode===200?0:1)).on('error',()=>process.exit(1))"] }, periodSeconds: 2 },
              }],
            },
          },
        },
      },
    ],
  });
}

function hostGet(host: string, port: number): Promise<string> {
  return new Promise((ok, fail) => {
    get({ host, port, path: '/', timeout: 3000 }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => { body += d; }).on('end', () => ok(body));
    }).on('error', fail);
  });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

test('a Deployment on the real control plane: Ready pods with pod IPs, kubectl logs, in-pod API access, graceful delete, rollout restart, clean stop', { timeout: 300_000 }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'tapr-node-agent-'));
  const markerDir = join(dir, 'markers');
  execFileSync('mkdir', ['-p', markerDir]);
  const errors: unknown[] = [];
  const cp = await startControlPlane({ dir });
  const index = cp.network.index;
  const kubectl = async (...args: string[]): Promise<string> => {
    try {
      return (await run(cp.binaries.kubectl!, ['--kubeconfig', cp.kubeconfigPath, ...args], { encoding: 'utf8', timeout: 60_000 })).stdout;
    } catch (err) {
      throw new Error(`kubectl ${args.join(' ')}: ${(err as { stderr?: string }).stderr ?? String(err)}`, { cause: err });
    }
  };
  const pods = async (): Promise<PodView[]> => (JSON.parse(await kubectl('get', 'pods', '-n', 'demo', '-o', 'json')) as { items: PodView[] }).items;
  const waitFor = async <T>(what: string, f: () => Promise<T | undefined>, ms = 60_000): Promise<T> => {
    const deadline = Date.now() + ms;
    for (;;) {
      const v = await f();
      if (v !== undefined) return v;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await sleep(500);
    }
  };
  const readyPods = (except: Set<string>) => async (): Promise<PodView[] | undefined> => {
    const all = await pods();
    const ready = all.filter((p) => p.metadata.deletionTimestamp === undefined && !except.has(p.metadata.name) && p.status.phase === 'Running'
      && p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
    return ready.length === 2 && all.length === 2 ? ready : undefined;
  };
  const pids: number[] = [];
  const agent = await startNodeAgent({
    controlPlane: cp, images: { 'example.test/in-pod-app': { command: [process.execPath, fixture] } }, imageMapSource: 'the test',
    backoffMs: { base: 200, max: 2000 }, onError: (err) => errors.push(err),
  });
  let agentStopped = false;
  try {
    const node = JSON.parse(await kubectl('get', 'node', 'local-node', '-o', 'json')) as { status: { conditions: { type: string; status: string }[]; addresses: { type: string; address: string }[]; nodeInfo: { kubeletVersion: string } } };
    assert.equal(node.status.conditions.find((c) => c.type === 'Ready')?.status, 'True');
    assert.deepEqual(node.status.addresses, [{ type: 'InternalIP', address: cp.network.hostIp }, { type: 'Hostname', address: 'local-node' }]);
    assert.equal(node.status.nodeInfo.kubeletVersion, 'v1.37.2');
    await kubectl('get', 'lease', '-n', 'kube-node-lease', 'local-node');

    await run('sh', ['-c', `'${cp.binaries.kubectl!}' --kubeconfig '${cp.kubeconfigPath}' apply -f - <<'EOF'\n${manifest(markerDir)}\nEOF`]);
    const first = await waitFor('2 Ready pods', readyPods(new Set()), 90_000);
    const prefix = cp.network.hostIp.replace(/\.1$/, '.');
    const ips = first.map((p) => p.status.podIP!);
    assert.equal(new Set(ips).size, 2);
    for (const p of first) {
      assert.ok(p.status.podIP!.startsWith(prefix), p.status.podIP);
      assert.equal(p.status.hostIP, cp.network.hostIp);
      assert.equal(p.spec.nodeName, 'local-node');
      pids.push(Number(p.status.containerStatuses![0]!.containerID!.replace('local://', '')));
      assert.equal(await hostGet(p.status.podIP!, 8081), 'ok', 'the host reaches the pod at its IP');
      await assert.rejects(hostGet(p.status.podIP!, 8080), /ECONNREFUSED/, "the app's 127.0.0.1 is the pod's own");
    }

    const wide = await kubectl('get', 'pods', '-n', 'demo', '-o', 'wide');
    for (const p of first) assert.match(wide, new RegExp(`${p.metadata.name}\\s+1/1\\s+Running\\s+0\\s+\\S+\\s+${p.status.podIP!.replace(/\./g, '\\.')}\\s+local-node`));

    const name = first[0]!.metadata.name;
    const logs = await waitFor('the in-pod client listing pods', async () => {
      const text = await kubectl('logs', '-n', 'demo', name);
      return /^pods: /m.test(text) ? text : undefined;
    });
    assert.match(logs, new RegExp(`^started ${name}$`, 'm'));
    assert.match(logs, new RegExp(`^pods: ${first.map((p) => p.metadata.name).sort().join(',')}$`, 'm'), 'the mounted token reads its namespace through KUBERNETES_SERVICE_HOST');
    assert.doesNotMatch(logs, /list error/);
    assert.equal((await kubectl('logs', '-n', 'demo', name, '--tail=1')).split('\n').filter((l) => l !== '').length, 1);
    await assert.rejects(kubectl('logs', '-n', 'demo', name, '--previous'), /previous terminated container "app" in pod/);

    const deleted = Date.now();
    await kubectl('delete', 'pod', '-n', 'demo', name);
    assert.ok(existsSync(join(markerDir, `${name}.sigterm`)), 'the process saw SIGTERM before the pod went');
    assert.ok(Date.now() - deleted < 8000, 'the pod went once its process exited, not at the end of the grace period');
    assert.ok(!(await pods()).some((p) => p.metadata.name === name));

    const beforeRestart = new Set((await waitFor('the replacement pod', readyPods(new Set([name])), 60_000)).map((p) => p.metadata.name));
    await kubectl('rollout', 'restart', 'deployment/app', '-n', 'demo');
    await kubectl('rollout', 'status', 'deployment/app', '-n', 'demo', '--timeout=90s');
    const after = await waitFor('2 new Ready pods', readyPods(beforeRestart), 60_000);
    for (const p of after) pids.push(Number(p.status.containerStatuses![0]!.containerID!.replace('local://', '')));
    for (const n of beforeRestart) assert.ok(existsSync(join(markerDir, `${n}.sigterm`)), `${n} was stopped with SIGTERM`);

    await agent.stop();
    agentStopped = true;
  } finally {
    if (!agentStopped) await agent.stop();
    await cp.stop();
  }
  const netns = parseNetnsList(execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' })).filter((n) => n.startsWith(`tapr-${index}-`));
  const links = parseLinkNames(execFileSync('ip', ['-o', 'link', 'show'], { encoding: 'utf8' })).filter((n) => n.startsWith(`tapr${index}v`) || n === `taprbr${index}`);
  assert.deepEqual([...netns, ...links], []);
  assert.deepEqual(pids.filter(isAlive), [], 'no container process is left');
  assert.deepEqual(errors.map(String), []);
  await rm(dir, { recursive: true, force: true });
});
