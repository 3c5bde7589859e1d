// The node agent on the real control plane (etcd, kube-apiserver, controller-manager, scheduler; needs root): a
// Deployment's pods are scheduled to local-node, run in their own netns, become Ready, log through `kubectl logs`,
// read the API with their mounted token, end gracefully; nothing is left after stop.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { hostGet } from './host-get.ts';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { startControlPlane } from '../../upstream/control-plane.ts';
import { startNodeAgent } from '../start-node-agent.ts';
import { parseLinkNames, parseNetnsList } from './pod-network-names.ts';

const run = promisify(execFile);
const fixture = resolve(import.meta.dirname, '../../fixtures/in-pod-app.ts');
const printer = resolve(import.meta.dirname, '../../fixtures/env-printer.ts');
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface ContainerStatus {
  name: string;
  containerID?: string;
  ready: boolean;
  started?: boolean;
  restartCount: number;
  state: { running?: object; waiting?: { reason: string }; terminated?: { exitCode: number; reason: string } };
  lastState: { terminated?: { exitCode: number; reason: string } };
}

interface PodView {
  metadata: { name: string; uid: string; deletionTimestamp?: string };
  spec: { nodeName?: string };
  status: {
    phase?: string; podIP?: string; hostIP?: string; conditions?: { type: string; status: string }[];
    containerStatuses?: ContainerStatus[]; initContainerStatuses?: ContainerStatus[];
  };
}

function manifest(markerDir: string): unknown {
  return {
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
  };
}


function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

type ControlPlane = Awaited<ReturnType<typeof startControlPlane>>;
type Agent = Awaited<ReturnType<typeof startNodeAgent>>;

let dir = '';
let markerDir = '';
let cp: ControlPlane;
let agent: Agent | undefined;
const errors: unknown[] = [];
const pids: number[] = [];

async function kubectl(...args: string[]): Promise<string> {
  try {
    return (await run(cp.binaries.kubectl!, ['--kubeconfig', cp.kubeconfigPath, ...args], { encoding: 'utf8', timeout: 60_000 })).stdout;
  } catch (err) {
    throw new Error(`kubectl ${args.join(' ')}: ${(err as { stderr?: string }).stderr ?? String(err)}`, { cause: err });
  }
}

async function apply(doc: unknown): Promise<void> {
  const child = execFile(cp.binaries.kubectl!, ['--kubeconfig', cp.kubeconfigPath, 'apply', '-f', '-']);
  const done = new Promise<void>((ok, fail) => child.once('exit', (code) => (code === 0 ? ok() : fail(new Error(`kubectl apply exited ${code}`)))));
  child.stdin!.end(JSON.stringify(doc));
  await done;
}

async function pods(namespace = 'demo'): Promise<PodView[]> {
  return (JSON.parse(await kubectl('get', 'pods', '-n', namespace, '-o', 'json')) as { items: PodView[] }).items;
}

async function waitFor<T>(what: string, f: () => Promise<T | undefined>, ms = 60_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(500);
  }
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tapr-node-agent-'));
  markerDir = join(dir, 'markers');
  execFileSync('mkdir', ['-p', markerDir]);
  cp = await startControlPlane({ dir });
  agent = await startNodeAgent({
    controlPlane: cp,
    images: { 'example.test/in-pod-app': { command: [process.execPath, fixture] }, 'example.test/printer': { command: [process.execPath, printer] } },
    imageMapSource: 'the test', backoffMs: { base: 200, max: 2000 }, tokenRefreshMs: 3000, onError: (err) => errors.push(err),
  });
});

after(async () => {
  const index = cp.network.index;
  try {
    await agent?.stop();
  } finally {
    await cp.stop();
  }
  const netns = parseNetnsList(execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' })).filter((n) => n.startsWith(`tapr-${index}-`));
  const links = parseLinkNames(execFileSync('ip', ['-o', 'link', 'show'], { encoding: 'utf8' })).filter((n) => n.startsWith(`tapr${index}v`) || n === `taprbr${index}`);
  assert.deepEqual([...netns, ...links], [], 'no namespace, veth or bridge is left');
  assert.deepEqual(pids.filter(isAlive), [], 'no container process is left');
  assert.deepEqual(existsSync(join(dir, 'node-agent', 'pods')) ? readdirSync(join(dir, 'node-agent', 'pods')) : [], [], 'no token volume is left');
  assert.deepEqual(errors.map(String), [], 'the agent reported no errors');
  await rm(dir, { recursive: true, force: true });
});

test('a Deployment: Ready pods with bridge IPs, kubectl logs, in-pod API access with the mounted token, graceful delete, rollout restart', { timeout: 300_000 }, async () => {
  const readyPods = (except: Set<string>) => async (): Promise<PodView[] | undefined> => {
    const all = await pods();
    const ready = all.filter((p) => p.metadata.name.startsWith('app-') && p.metadata.deletionTimestamp === undefined && !except.has(p.metadata.name) && p.status.phase === 'Running'
      && p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
    const app = all.filter((p) => p.metadata.name.startsWith('app-'));
    return ready.length === 2 && app.length === 2 ? ready : undefined;
  };
  const node = JSON.parse(await kubectl('get', 'node', 'local-node', '-o', 'json')) as { status: { conditions: { type: string; status: string }[]; addresses: { type: string; address: string }[]; nodeInfo: { kubeletVersion: string } } };
  assert.equal(node.status.conditions.find((c) => c.type === 'Ready')?.status, 'True');
  assert.deepEqual(node.status.addresses, [{ type: 'InternalIP', address: cp.network.hostIp }, { type: 'Hostname', address: 'local-node' }]);
  assert.equal(node.status.nodeInfo.kubeletVersion, 'v1.37.2');
  await kubectl('get', 'lease', '-n', 'kube-node-lease', 'local-node');

  await apply(manifest(markerDir));
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
  const replaced = await waitFor('2 new Ready pods', readyPods(beforeRestart), 60_000);
  for (const p of replaced) pids.push(Number(p.status.containerStatuses![0]!.containerID!.replace('local://', '')));
  for (const n of beforeRestart) assert.ok(existsSync(join(markerDir, `${n}.sigterm`)), `${n} was stopped with SIGTERM`);
});


function printerEnv(name: string, extra: Record<string, string> = {}): { name: string; value: string }[] {
  return Object.entries({ FIXTURE_NAME: name, ...extra }).map(([k, v]) => ({ name: k, value: v }));
}

function condition(p: PodView, type: string): string | undefined {
  return p.status.conditions?.find((c) => c.type === type)?.status;
}

test('init containers, a native sidecar, a crash loop with restart counts and previous logs, env from the API, exec probes inside the pod', { timeout: 120_000 }, async () => {
  const insidePod = `test -s /var/run/secrets/kubernetes.io/serviceaccount/token && ip -4 -o addr show dev eth0 | grep -q 'inet ${cp.network.hostIp.replace(/\.1$/, '.')}'`;
  await apply({
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'lifecycle', namespace: 'demo' },
    spec: {
      terminationGracePeriodSeconds: 2,
      initContainers: [
        { name: 'init', image: 'example.test/printer', env: printerEnv('init', { RUN_MS: '100' }) },
        { name: 'sidecar', image: 'example.test/printer', restartPolicy: 'Always', env: printerEnv('sidecar') },
      ],
      containers: [
        { name: 'crash', image: 'example.test/printer', env: printerEnv('crash', { RUN_MS: '200', EXIT_CODE: '3' }) },
        {
          name: 'steady', image: 'example.test/printer',
          env: [
            ...printerEnv('steady', { PRINT_ENV: 'GREETING,MY_IP,MY_HOST_IP,KUBERNETES_SERVICE_HOST,KUBERNETES_SERVICE_PORT,HOSTNAME' }),
            { name: 'GREETING', valueFrom: { configMapKeyRef: { name: 'app-config', key: 'greeting' } } },
            { name: 'MY_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
            { name: 'MY_HOST_IP', valueFrom: { fieldRef: { fieldPath: 'status.hostIP' } } },
          ],
          readinessProbe: { exec: { command: ['/bin/sh', '-c', insidePod] }, periodSeconds: 1 },
        },
      ],
    },
  });
  const pod = await waitFor('the crash loop and a ready steady container', async () => {
    const p = (await pods()).find((x) => x.metadata.name === 'lifecycle');
    const crash = p?.status.containerStatuses?.find((c) => c.name === 'crash');
    const steady = p?.status.containerStatuses?.find((c) => c.name === 'steady');
    return crash !== undefined && crash.restartCount >= 2 && steady?.ready === true ? p : undefined;
  });
  assert.equal(pod.status.phase, 'Running');
  assert.equal(condition(pod, 'Initialized'), 'True');
  assert.equal(condition(pod, 'PodReadyToStartContainers'), 'True');
  assert.equal(condition(pod, 'PodScheduled'), 'True');
  const allReady = [...pod.status.containerStatuses!, pod.status.initContainerStatuses![1]!].every((c) => c.ready);
  assert.equal(condition(pod, 'Ready'), allReady ? 'True' : 'False', 'Ready follows the containers (the crashing one flips)');
  const [init, sidecar] = pod.status.initContainerStatuses!;
  assert.equal(init!.state.terminated?.reason, 'Completed');
  assert.equal(init!.state.terminated?.exitCode, 0);
  assert.ok(sidecar!.state.running !== undefined && sidecar!.started === true && sidecar!.ready, 'the native sidecar keeps running');
  const crash = pod.status.containerStatuses!.find((c) => c.name === 'crash')!;
  assert.equal(crash.lastState.terminated?.exitCode, 3);
  assert.equal(crash.lastState.terminated?.reason, 'Error');

  const previous = await kubectl('logs', '-n', 'demo', 'lifecycle', '-c', 'crash', '--previous');
  assert.match(previous, /"msg":"exiting","name":"crash"/);
  const steadyLogs = JSON.parse((await kubectl('logs', '-n', 'demo', 'lifecycle', '-c', 'steady')).split('\n')[0]!) as { env: Record<string, string> };
  assert.deepEqual(steadyLogs.env, {
    GREETING: 'hello', MY_IP: pod.status.podIP, MY_HOST_IP: cp.network.hostIp, KUBERNETES_SERVICE_HOST: cp.network.hostIp,
    KUBERNETES_SERVICE_PORT: '443', HOSTNAME: 'lifecycle',
  });
  await assert.rejects(kubectl('logs', '-n', 'demo', 'lifecycle', '-c', 'nope'), /container nope is not valid for pod lifecycle/);
  await kubectl('delete', 'pod', '-n', 'demo', 'lifecycle', '--wait=true');
});

test('restartPolicy Never ends Succeeded; kubectl logs -f follows until the container exits; a SIGTERM-ignoring process is killed at the grace period', { timeout: 120_000 }, async () => {
  await apply({
    apiVersion: 'v1', kind: 'List', items: [
      {
        apiVersion: 'v1', kind: 'Pod', metadata: { name: 'once', namespace: 'demo' },
        spec: { restartPolicy: 'Never', containers: [{ name: 'main', image: 'example.test/printer', env: printerEnv('once', { RUN_MS: '4000' }) }] },
      },
      {
        apiVersion: 'v1', kind: 'Pod', metadata: { name: 'stubborn', namespace: 'demo' },
        spec: { terminationGracePeriodSeconds: 30, containers: [{ name: 'main', image: 'example.test/printer', env: printerEnv('stubborn', { IGNORE_SIGTERM: '1' }) }] },
      },
    ],
  });
  await waitFor('once to run', async () => ((await pods()).find((p) => p.metadata.name === 'once')?.status.phase === 'Running' ? true : undefined));
  const followed = Date.now();
  const out = await kubectl('logs', '-n', 'demo', 'once', '-f');
  assert.match(out, /"msg":"started","name":"once"/);
  assert.match(out, /"msg":"exiting","name":"once"/, 'follow streams what is written later and ends with the container');
  assert.ok(Date.now() - followed < 15_000);
  const done = await waitFor('once Succeeded', async () => {
    const p = (await pods()).find((x) => x.metadata.name === 'once');
    return p?.status.phase === 'Succeeded' ? p : undefined;
  });
  assert.equal(done.status.containerStatuses![0]!.state.terminated?.reason, 'Completed');
  assert.equal(done.status.containerStatuses![0]!.restartCount, 0);

  const stubborn = await waitFor('stubborn to run', async () => {
    const p = (await pods()).find((x) => x.metadata.name === 'stubborn');
    return p?.status.phase === 'Running' ? p : undefined;
  });
  pids.push(Number(stubborn.status.containerStatuses![0]!.containerID!.replace('local://', '')));
  const started = Date.now();
  await kubectl('delete', 'pod', '-n', 'demo', 'stubborn', '--grace-period=2');
  const took = Date.now() - started;
  assert.ok(took >= 1500 && took < 10_000, `deleted after ${took} ms (grace period 2 s)`);
  await kubectl('delete', 'pod', '-n', 'demo', 'once');
});

test("the node's identity is a kubelet's: it reads only what pods bound to it reference", { timeout: 60_000 }, async () => {
  await kubectl('create', 'secret', 'generic', 'unrelated', '-n', 'demo', '--from-literal=k=v');
  const nodeKubeconfig = join(dir, 'node.kubeconfig');
  execFileSync('sh', ['-c', `cat > '${nodeKubeconfig}'`], { input: await cp.kubeconfigFor('system:node:local-node', ['system:nodes']) });
  const asNode = (...args: string[]): Promise<string> => run(cp.binaries.kubectl!, ['--kubeconfig', nodeKubeconfig, ...args], { encoding: 'utf8' }).then((r) => r.stdout);
  await assert.rejects(asNode('get', 'secret', 'unrelated', '-n', 'demo'), /Forbidden|forbidden/);
  assert.match(await asNode('get', 'configmap', 'app-config', '-n', 'demo', '-o', 'name'), /configmap\/app-config/, 'referenced by the Deployment\'s pods on this node');
  assert.match(await asNode('get', 'node', 'local-node', '-o', 'name'), /node\/local-node/);
});

test('tokens are refreshed in place while the pod keeps using them; the agent rides out an apiserver restart and etcd compaction', { timeout: 120_000 }, async () => {
  const app = (await pods()).filter((p) => p.metadata.name.startsWith('app-') && p.metadata.deletionTimestamp === undefined);
  const pod = app[0]!;
  const tokenPath = join(dir, 'node-agent', 'pods', pod.metadata.uid, 'serviceaccount', 'token');
  const first = readFileSync(tokenPath, 'utf8');
  await waitFor('a refreshed token', () => Promise.resolve(readFileSync(tokenPath, 'utf8') !== first ? true : undefined), 15_000);
  const since = new Date().toISOString();
  const recent = await waitFor('the pod listing pods with the new token', async () => {
    const text = await kubectl('logs', '-n', 'demo', pod.metadata.name, `--since-time=${since}`);
    return /^pods: /m.test(text) && !/list error/.test(text) ? text : undefined;
  });
  assert.doesNotMatch(recent, /^started /m, '--since-time leaves out older lines');

  const runs = async (name: string): Promise<void> => {
    await apply({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'demo' }, spec: { containers: [{ name: 'main', image: 'example.test/printer', env: printerEnv(name) }] } });
    const p = await waitFor(`${name} Running`, async () => {
      const x = (await pods()).find((y) => y.metadata.name === name);
      return x?.status.phase === 'Running' && condition(x, 'Ready') === 'True' ? x : undefined;
    });
    pids.push(Number(p.status.containerStatuses![0]!.containerID!.replace('local://', '')));
  };
  await cp.restartApiserver();
  await runs('after-restart');
  await cp.compactEtcd();
  await cp.restartApiserver();
  await runs('after-compaction');
  const lease = JSON.parse(await kubectl('get', 'lease', '-n', 'kube-node-lease', 'local-node', '-o', 'json')) as { spec: { renewTime: string } };
  assert.ok(Date.now() - Date.parse(lease.spec.renewTime) < 20_000, 'the lease is still renewed');
  await kubectl('delete', 'pod', '-n', 'demo', 'after-restart', 'after-compaction', '--grace-period=1');
});

test("a hostNetwork pod runs in the host's network with the node's IP", { timeout: 60_000 }, async () => {
  await apply({
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'hostnet', namespace: 'demo' },
    spec: {
      hostNetwork: true, terminationGracePeriodSeconds: 1,
      containers: [{ name: 'main', image: 'example.test/printer', env: printerEnv('hostnet', { PORT: '18099' }), readinessProbe: { httpGet: { path: '/', port: 18099 }, periodSeconds: 1 } }],
    },
  });
  const p = await waitFor('hostnet Ready', async () => {
    const x = (await pods()).find((y) => y.metadata.name === 'hostnet');
    return condition(x ?? ({ status: {} } as PodView), 'Ready') === 'True' ? x : undefined;
  });
  assert.equal(p.status.podIP, cp.network.hostIp);
  pids.push(Number(p.status.containerStatuses![0]!.containerID!.replace('local://', '')));
  assert.equal(await hostGet(cp.network.hostIp, 18099), 'ok');
  await kubectl('delete', 'pod', '-n', 'demo', 'hostnet');
});
