// Behaviour: the node agent runs pods as processes — env (value, fieldRef, configMapKeyRef, secretKeyRef, POD_IP,
// the in-cluster KUBERNETES_SERVICE_*), pods/log, graceful deletion (SIGTERM, grace period), init containers, native sidecars, liveness
// restarts, restartPolicy, and an image missing from the image map.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { CoreV1Api, type V1Container, type V1Pod } from '@kubernetes/client-node';
import { clusterUnderTest, eventually, expectStatus } from './support/cluster-under-test.ts';
import { FIXTURE_IMAGE, fixtureImages } from './support/fixture-images.ts';

function container(name: string, env: Record<string, string> = {}, extra: Partial<V1Container> = {}): V1Container {
  return { name, image: FIXTURE_IMAGE, env: [{ name: 'FIXTURE_NAME', value: name }, ...Object.entries(env).map(([k, v]) => ({ name: k, value: v }))], ...extra };
}

function pod(name: string, spec: Partial<V1Pod['spec']> & { containers: V1Container[] }): V1Pod {
  return { metadata: { name, labels: { app: name } }, spec: { terminationGracePeriodSeconds: 5, ...spec } };
}

async function waitFor(core: CoreV1Api, namespace: string, name: string, check: (p: V1Pod) => boolean, timeoutMs = 15_000): Promise<V1Pod> {
  let last: V1Pod | undefined;
  try {
    return await eventually(async () => {
      last = await core.readNamespacedPod({ name, namespace });
      return check(last) ? last : undefined;
    }, timeoutMs);
  } catch (err) {
    throw new Error(`pod ${name} never reached the expected state; last status: ${JSON.stringify(last?.status)}`, { cause: err });
  }
}

interface LogLine { msg: string; name?: string; env?: Record<string, string | null> }

async function logLines(core: CoreV1Api, namespace: string, name: string, containerName?: string, previous?: boolean): Promise<LogLine[]> {
  const text = await core.readNamespacedPodLog({ name, namespace, ...(containerName === undefined ? {} : { container: containerName }), ...(previous === true ? { previous } : {}) });
  return text.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as LogLine);
}

test('a container gets its env (value, fieldRef, configMapKeyRef, secretKeyRef, POD_IP, KUBERNETES_SERVICE_*) and its output is in pods/log', async (t) => {
  const { kc, namespace, faults } = await clusterUnderTest(t, { images: fixtureImages });
  if (faults === undefined) return t.skip('runs fixture processes on the local node agent');
  const core = kc.makeApiClient(CoreV1Api);
  await core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'cfg' }, data: { color: 'blue' } } });
  await core.createNamespacedSecret({ namespace, body: { metadata: { name: 'sec' }, stringData: { password: 's3cret' } } });
  const keys = 'PLAIN,EXPANDED,MY_NAME,MY_NS,MY_UID,MY_LABEL,MY_NODE,MY_SA,MY_IP,COLOR,PASSWORD,MISSING_OPT,POD_IP,KUBERNETES_SERVICE_HOST,KUBERNETES_SERVICE_PORT';
  await core.createNamespacedPod({ namespace, body: pod('envy', { containers: [{
    name: 'app', image: FIXTURE_IMAGE,
    env: [
      { name: 'PRINT_ENV', value: keys }, { name: 'STDERR_LINE', value: 'to stderr' },
      { name: 'PLAIN', value: 'hello' }, { name: 'EXPANDED', value: '$(PLAIN)-world' },
      { name: 'MY_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
      { name: 'MY_NS', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
      { name: 'MY_UID', valueFrom: { fieldRef: { fieldPath: 'metadata.uid' } } },
      { name: 'MY_LABEL', valueFrom: { fieldRef: { fieldPath: "metadata.labels['app']" } } },
      { name: 'MY_NODE', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
      { name: 'MY_SA', valueFrom: { fieldRef: { fieldPath: 'spec.serviceAccountName' } } },
      { name: 'MY_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
      { name: 'COLOR', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'color' } } },
      { name: 'PASSWORD', valueFrom: { secretKeyRef: { name: 'sec', key: 'password' } } },
      { name: 'MISSING_OPT', valueFrom: { configMapKeyRef: { name: 'nope', key: 'x', optional: true } } },
    ],
  }] }) });
  const running = await waitFor(core, namespace, 'envy', (p) => p.status?.phase === 'Running');
  const lines = await eventually(async () => {
    const ls = await logLines(core, namespace, 'envy');
    return ls.length > 0 ? ls : undefined;
  });
  const env = lines[0]!.env!;
  const ip = running.status!.podIP!;
  assert.deepEqual(env, {
    PLAIN: 'hello', EXPANDED: 'hello-world', MY_NAME: 'envy', MY_NS: namespace, MY_UID: running.metadata!.uid!, MY_LABEL: 'envy',
    MY_NODE: 'local-node', MY_SA: 'default', MY_IP: ip, COLOR: 'blue', PASSWORD: 's3cret', MISSING_OPT: null, POD_IP: ip,
    // In-cluster clients find the API server as in any pod (its token is mounted at the usual path).
    KUBERNETES_SERVICE_HOST: running.status!.hostIP!, KUBERNETES_SERVICE_PORT: '443',
  });
  const text = await core.readNamespacedPodLog({ name: 'envy', namespace, container: 'app' });
  assert.match(text, /to stderr/);
  assert.equal(await core.readNamespacedPodLog({ name: 'envy', namespace, tailLines: 1 }), 'to stderr\n');
});

test('deleting a pod sends SIGTERM, waits for the process, then removes the pod; the grace period ends with SIGKILL', async (t) => {
  const { kc, namespace, faults } = await clusterUnderTest(t, { images: fixtureImages });
  if (faults === undefined) return t.skip('runs fixture processes on the local node agent');
  const core = kc.makeApiClient(CoreV1Api);
  await core.createNamespacedPod({ namespace, body: pod('polite', { containers: [container('app', { EXIT_DELAY_MS: '1500' })] }) });
  await core.createNamespacedPod({ namespace, body: pod('stubborn', { terminationGracePeriodSeconds: 2, containers: [container('app', { IGNORE_SIGTERM: '1' })] }) });
  await waitFor(core, namespace, 'polite', (p) => p.status?.phase === 'Running');
  await waitFor(core, namespace, 'stubborn', (p) => p.status?.phase === 'Running');
  // The processes have installed their SIGTERM handlers once they logged 'started'.
  for (const name of ['polite', 'stubborn']) await eventually(async () => ((await logLines(core, namespace, name)).length > 0 ? true : undefined));

  const deleted = await core.deleteNamespacedPod({ name: 'polite', namespace });
  assert.ok(deleted.metadata?.deletionTimestamp instanceof Date, 'DELETE answers with the pod marked for deletion');
  assert.equal(deleted.metadata?.deletionGracePeriodSeconds, 5);
  const terminating = await core.readNamespacedPod({ name: 'polite', namespace });
  assert.ok(terminating.metadata?.deletionTimestamp instanceof Date, 'the pod stays while its process shuts down');
  const sawTerm = await eventually(async () => {
    const ls = await logLines(core, namespace, 'polite').catch(() => []);
    return ls.some((l) => l.msg === 'SIGTERM') ? true : undefined;
  });
  assert.equal(sawTerm, true);
  await eventually(async () => ((await core.readNamespacedPod({ name: 'polite', namespace }).then(() => false, () => true)) ? true : undefined));

  const started = Date.now();
  await core.deleteNamespacedPod({ name: 'stubborn', namespace });
  await eventually(async () => ((await core.readNamespacedPod({ name: 'stubborn', namespace }).then(() => false, () => true)) ? true : undefined), 15_000);
  const took = Date.now() - started;
  assert.ok(took >= 1800, `a process ignoring SIGTERM keeps the pod for the grace period (took ${took} ms)`);
});

test('init containers run to completion in order before the main container; a native sidecar keeps running', async (t) => {
  const { kc, namespace, faults } = await clusterUnderTest(t, { images: fixtureImages });
  if (faults === undefined) return t.skip('runs fixture processes on the local node agent');
  const core = kc.makeApiClient(CoreV1Api);
  await core.createNamespacedPod({ namespace, body: pod('layered', {
    initContainers: [
      container('first', { RUN_MS: '300' }),
      { ...container('sidecar', { EXIT_DELAY_MS: '1000' }), restartPolicy: 'Always' },
      container('second', { RUN_MS: '100' }),
    ],
    containers: [container('main', { EXIT_DELAY_MS: '1000' })],
  }) });
  const p = await waitFor(core, namespace, 'layered', (x) => x.status?.phase === 'Running' && x.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true);
  const init = Object.fromEntries((p.status?.initContainerStatuses ?? []).map((s) => [s.name, s]));
  assert.equal(init.first?.state?.terminated?.exitCode, 0);
  assert.equal(init.first?.state?.terminated?.reason, 'Completed');
  assert.equal(init.second?.state?.terminated?.exitCode, 0);
  assert.ok(init.sidecar?.state?.running !== undefined, 'the native sidecar is still running');
  assert.equal(init.sidecar?.ready, true);
  assert.equal(p.status?.conditions?.find((c) => c.type === 'Initialized')?.status, 'True');
  const at = (c: string, msg: string): Promise<number> => eventually(async () => {
    const lines = (await core.readNamespacedPodLog({ name: 'layered', namespace, container: c, timestamps: true })).split('\n');
    const line = lines.find((l) => l.includes(`"msg":"${msg}"`));
    return line === undefined ? undefined : Date.parse(line.split(' ')[0]!);
  });
  assert.ok(await at('first', 'exiting') <= await at('sidecar', 'started'), 'the sidecar starts after the first init container completed');
  assert.ok(await at('first', 'exiting') <= await at('second', 'started'), 'the second init container starts after the first completed');
  assert.ok(await at('second', 'exiting') <= await at('main', 'started'), 'the main container starts after the init containers');
  const exited = (await logLines(core, namespace, 'layered', 'first')).map((l) => l.msg);
  assert.deepEqual(exited, ['started', 'exiting']);
  // Deleting the pod stops the main container before the sidecar.
  await core.deleteNamespacedPod({ name: 'layered', namespace });
  const order = await eventually(async () => {
    const m = (await core.readNamespacedPodLog({ name: 'layered', namespace, container: 'main', timestamps: true }).catch(() => '')).split('\n').find((l) => l.includes('SIGTERM'));
    const s = (await core.readNamespacedPodLog({ name: 'layered', namespace, container: 'sidecar', timestamps: true }).catch(() => '')).split('\n').find((l) => l.includes('SIGTERM'));
    return m !== undefined && s !== undefined ? [Date.parse(m.split(' ')[0]!), Date.parse(s.split(' ')[0]!)] : undefined;
  });
  assert.ok(order[1]! - order[0]! >= 800, `the sidecar gets SIGTERM once the main container has exited (${order[1]! - order[0]!} ms later)`);
});

test('a failing liveness probe restarts the container; the previous log is kept', async (t) => {
  const { kc, namespace, faults } = await clusterUnderTest(t, { images: fixtureImages });
  if (faults === undefined) return t.skip('runs fixture processes on the local node agent');
  const core = kc.makeApiClient(CoreV1Api);
  await core.createNamespacedPod({ namespace, body: pod('sick', { containers: [container('app', { PORT: '8080', FAIL_AFTER_MS: '1500' }, {
    ports: [{ containerPort: 8080 }],
    livenessProbe: { httpGet: { path: '/healthz', port: 8080 }, initialDelaySeconds: 1, periodSeconds: 1, failureThreshold: 1 },
  })] }) });
  const p = await waitFor(core, namespace, 'sick', (x) => (x.status?.containerStatuses?.[0]?.restartCount ?? 0) >= 1 && x.status?.containerStatuses?.[0]?.state?.running !== undefined, 20_000);
  const s = p.status!.containerStatuses![0]!;
  assert.ok(s.lastState?.terminated !== undefined, 'lastState shows the killed container');
  assert.equal(p.status?.phase, 'Running');
  const previous = await logLines(core, namespace, 'sick', 'app', true);
  assert.deepEqual(previous.map((l) => l.msg), ['started', 'SIGTERM']);
});

test('restartPolicy: Never leaves a failed pod Failed; OnFailure restarts it', async (t) => {
  const { kc, namespace, faults } = await clusterUnderTest(t, { images: fixtureImages });
  if (faults === undefined) return t.skip('runs fixture processes on the local node agent');
  const core = kc.makeApiClient(CoreV1Api);
  await core.createNamespacedPod({ namespace, body: pod('never', { restartPolicy: 'Never', containers: [container('app', { RUN_MS: '100', EXIT_CODE: '3' })] }) });
  await core.createNamespacedPod({ namespace, body: pod('ok', { restartPolicy: 'OnFailure', containers: [container('app', { RUN_MS: '100' })] }) });
  await core.createNamespacedPod({ namespace, body: pod('again', { restartPolicy: 'OnFailure', containers: [container('app', { RUN_MS: '100', EXIT_CODE: '1' })] }) });
  const never = await waitFor(core, namespace, 'never', (p) => p.status?.phase === 'Failed');
  assert.equal(never.status?.containerStatuses?.[0]?.state?.terminated?.exitCode, 3);
  assert.equal(never.status?.containerStatuses?.[0]?.state?.terminated?.reason, 'Error');
  await waitFor(core, namespace, 'ok', (p) => p.status?.phase === 'Succeeded');
  await waitFor(core, namespace, 'again', (p) => (p.status?.containerStatuses?.[0]?.restartCount ?? 0) >= 1);
});

test('an image that is not in the image map leaves the container Waiting with a clear reason and the pod Pending', async (t) => {
  const { kc, namespace, faults } = await clusterUnderTest(t, { images: fixtureImages });
  if (faults === undefined) return t.skip('the image map exists only on the local cluster');
  const core = kc.makeApiClient(CoreV1Api);
  await core.createNamespacedPod({ namespace, body: pod('ghost', { containers: [{ name: 'app', image: 'example.com/not-mapped:1' }] }) });
  const p = await waitFor(core, namespace, 'ghost', (x) => x.status?.containerStatuses?.[0]?.state?.waiting?.reason === 'ImageNotInMap');
  assert.equal(p.status?.phase, 'Pending');
  assert.match(p.status.containerStatuses![0]!.state!.waiting!.message ?? '', /image "example\.com\/not-mapped:1" is not in the image map/);
  assert.match(p.status?.podIP ?? '', /^198\.18\.\d+\.\d+$/, 'it still gets an address on the pod network');
  const err = await expectStatus(core.readNamespacedPodLog({ name: 'ghost', namespace }), 400, 'BadRequest');
  assert.match(err.message, /is waiting to start: ImageNotInMap/);
  await core.deleteNamespacedPod({ name: 'ghost', namespace });
  await eventually(async () => ((await core.readNamespacedPod({ name: 'ghost', namespace }).then(() => false, () => true)) ? true : undefined));
});

test('pods deleted at once while their containers start leave no process behind', async (t) => {
  const { kc, namespace, faults } = await clusterUnderTest(t, { images: fixtureImages });
  if (faults === undefined) return t.skip('runs fixture processes on the local node agent');
  const core = kc.makeApiClient(CoreV1Api);
  // A marker in the container's arguments finds its processes, whatever the node agent still tracks.
  const marker = `leak-check-${randomUUID()}`;
  const names = Array.from({ length: 20 }, (_, i) => `brief-${i}`);
  await Promise.all(names.map(async (name) => {
    // The shape of an injected pod: a native sidecar that starts first, then the app.
    await core.createNamespacedPod({ namespace, body: pod(name, {
      initContainers: [container('sidecar', { RUN_MS: '60000' }, { args: [marker], restartPolicy: 'Always' })],
      containers: [container('app', { RUN_MS: '60000' }, { args: [marker] })],
    }) });
    await core.deleteNamespacedPod({ name, namespace, gracePeriodSeconds: 0 });
  }));
  await eventually(async () => ((await core.listNamespacedPod({ namespace })).items.length === 0 ? true : undefined));
  await new Promise((resolve) => setTimeout(resolve, 1500));
  const leaked = await processesMatching(marker);
  assert.deepEqual(leaked, [], 'no container process outlives its pod');
});

/** PIDs of processes whose command line contains `text` (pgrep exits 1 when there are none). */
function processesMatching(text: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    execFile('pgrep', ['-f', text], (error, stdout) => {
      if (error && error.code !== 1) reject(new Error('pgrep failed', { cause: error }));
      else resolve(stdout.split('\n').filter((line) => line.trim() !== ''));
    });
  });
}
