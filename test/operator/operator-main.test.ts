// `node operator/src/main.ts` as a real process against the local cluster: ready line, /healthz /readyz /metrics,
// reconciles, leadership and per-app gauges in /metrics, injection at admission, a bad flag (exit 2), SIGTERM (exit 0, Lease released).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Cluster } from '../cluster/start-cluster.ts';
import type { ApiClient } from '../../operator/src/kube/api-client.ts';
import {
  condition, createDeployment, createManifest, createNamespace, eventually, gatewayPath, getIfExists, manifestText, OPERATOR_NAMESPACE,
  startTestCluster, uniqueName, type GatewayObject, type TestCluster,
} from './operator-env.ts';
import { spawnOperator, type OperatorProcess } from './operator-process.ts';


let testCluster: TestCluster | undefined;
let cluster: Cluster;
let api: ApiClient;
let operator: OperatorProcess;
let healthUrl: string;

before(async () => {
  testCluster = await startTestCluster({ images: false });
  ({ cluster, api } = testCluster);
  operator = spawnOperator([
    '--namespace', OPERATOR_NAMESPACE, '--gateway-image', 'tapr/ws-gateway:test',
    '--webhook-port', '0', '--health-host', '127.0.0.1', '--health-port', '0', '--log-level', 'debug',
  ], { KUBECONFIG: cluster.kubeconfigPath });
  const ready = await eventually('the "operator ready" line', () => {
    if (operator.child.exitCode !== null) throw new Error(`operator exited ${operator.child.exitCode}: ${operator.stderr()}`);
    return operator.logs.find((entry) => entry.msg === 'operator ready');
  }, 60_000);
  healthUrl = String(ready.healthUrl);
});

after(async () => {
  if (operator !== undefined && operator.child.exitCode === null) {
    operator.child.kill('SIGKILL');
    await operator.exited;
  }
  await testCluster?.stop();
});

async function metricsText(): Promise<string> {
  const response = await fetch(`${healthUrl}/metrics`);
  assert.equal(response.status, 200);
  assert.match(response.headers.get('content-type') ?? '', /^text\/plain/);
  return await response.text();
}

/** The value of one sample line, e.g. `tapr_ws_operator_reconciles_total{result="ok"}`; undefined when absent. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

test('the ready line names the health and webhook URLs; /healthz and /readyz answer 200 once ready', async () => {
  const ready = operator.logs.find((entry) => entry.msg === 'operator ready')!;
  assert.equal(ready.level, 'info');
  assert.equal(ready.service, 'tapr-ws-operator');
  assert.match(String(ready.webhookUrl), /^https:\/\/127\.0\.0\.1:\d+\/mutate-pods$/);
  assert.equal(operator.logs.find((entry) => entry.msg === 'connected')?.nativeSidecars, true, 'the local cluster reports 1.32');
  const healthz = await fetch(`${healthUrl}/healthz`);
  assert.equal(healthz.status, 200);
  assert.deepEqual(await healthz.json(), { status: 'ok' });
  const readyz = await fetch(`${healthUrl}/readyz`);
  assert.equal(readyz.status, 200);
  assert.deepEqual(await readyz.json(), { status: 'ready' });
  // Out of cluster, the operator registered its webhook with a URL to itself.
  const configuration = await api.request<{ webhooks: { clientConfig: { url?: string; caBundle?: string } }[] }>({
    method: 'GET', path: '/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations/tapr-ws-operator',
  });
  assert.equal(configuration.webhooks[0]!.clientConfig.url, ready.webhookUrl);
  assert.ok((configuration.webhooks[0]!.clientConfig.caBundle ?? '').length > 0);
});

test('/metrics lists every operator metric; an opted-in Deployment is reconciled, counted, and its gateway appears', async () => {
  const before = await metricsText();
  for (const name of [
    'tapr_ws_operator_reconciles_total', 'tapr_ws_operator_reconcile_errors_total', 'tapr_ws_operator_queue_depth', 'tapr_ws_operator_admissions_total',
    'tapr_ws_operator_injections_total', 'tapr_ws_operator_samples_total', 'tapr_ws_operator_gateway_connections', 'tapr_ws_operator_gateway_users',
    'tapr_ws_operator_sample_rounds_total', 'tapr_ws_operator_leader', 'tapr_ws_operator_ready', 'tapr_ws_operator_process_resident_memory_bytes',
  ]) {
    assert.match(before, new RegExp(`^# TYPE ${name} `, 'm'), `${name} is exposed`);
  }
  assert.equal(sample(before, 'tapr_ws_operator_ready'), 1);
  await eventually('the only replica to take the Lease', async () => (sample(await metricsText(), 'tapr_ws_operator_leader') === 1 ? true : undefined));
  const reconcilesBefore = sample(before, 'tapr_ws_operator_reconciles_total{result="ok"}') ?? 0;

  const namespace = uniqueName('app');
  await createNamespace(api, namespace);
  await createManifest(api, namespace, 'chat-manifest', manifestText({ url: '/ws/message', port: 8888 }));
  await createDeployment(api, namespace, 'chat', 'chat-manifest');
  await eventually('the WebSocketGateway with ManifestValid=True', async () => {
    const found = await getIfExists<GatewayObject>(api, gatewayPath(namespace, 'chat'));
    return condition(found, 'ManifestValid')?.status === 'True' ? found : undefined;
  });
  const after = await eventually('the per-app gauges in /metrics', async () => {
    const text = await metricsText();
    return sample(text, `tapr_ws_operator_gateway_connections{namespace="${namespace}",deployment="chat"}`) === undefined ? undefined : text;
  });
  assert.ok((sample(after, 'tapr_ws_operator_reconciles_total{result="ok"}') ?? 0) > reconcilesBefore, 'the reconcile is counted');
  assert.equal(sample(after, `tapr_ws_operator_gateway_connections{namespace="${namespace}",deployment="chat"}`), 0);
  assert.equal(sample(after, `tapr_ws_operator_gateway_users{namespace="${namespace}",deployment="chat"}`), 0);

  // A pod of the app goes through the operator's webhook and is injected.
  const injectedBefore = sample(after, 'tapr_ws_operator_injections_total{decision="injected"}') ?? 0;
  const pod = await api.request<{ spec: { initContainers?: { name: string }[] } }>({
    method: 'POST', path: `/api/v1/namespaces/${namespace}/pods`,
    body: {
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'chat-manual', labels: { 'tapr.io/manifest': 'chat-manifest' } },
      spec: { containers: [{ name: 'app', image: 'chat:1' }] },
    },
  });
  assert.deepEqual(pod.spec.initContainers?.map((container) => container.name), ['ws-gateway']);
  const text = await metricsText();
  assert.equal(sample(text, 'tapr_ws_operator_injections_total{decision="injected"}'), injectedBefore + 1);
});

test('a bad flag or value exits 2 with one stderr line naming it and nothing on stdout', async () => {
  for (const [args, named] of [
    [['--webhook-port', 'nope'], /--webhook-port="nope" is invalid: expected an integer from 0 to 65535/],
    [['--bogus'], /unknown flag --bogus/],
    [['--native-sidecars', 'maybe'], /--native-sidecars="maybe" is invalid: expected auto, on or off/],
    [['--webhook-mode', 'cert-manager', '--webhook-cert-dir', 'relative'], /--webhook-cert-dir="relative" is invalid: expected an absolute directory path/],
  ] as const) {
    const bad = spawnOperator([...args], { KUBECONFIG: cluster.kubeconfigPath });
    assert.equal(await bad.exited, 2, `exit code for ${args.join(' ')}`);
    const lines = bad.stderr().trimEnd().split('\n');
    assert.equal(lines.length, 1, bad.stderr());
    assert.match(lines[0]!, named);
    assert.deepEqual(bad.logs, [], 'nothing on stdout');
  }
  const env = spawnOperator([], { KUBECONFIG: cluster.kubeconfigPath, OPERATOR_STATUS_INTERVAL: 'soon' });
  assert.equal(await env.exited, 2);
  assert.match(env.stderr(), /^tapr-ws-operator: invalid configuration: OPERATOR_STATUS_INTERVAL="soon" is invalid: expected a duration/);
  const noCluster = spawnOperator([]);
  assert.equal(await noCluster.exited, 2);
  assert.match(noCluster.stderr(), /KUBECONFIG is missing: required outside a cluster/);
});

interface LeaseObject { spec?: { holderIdentity?: string } }

test('SIGTERM stops the operator cleanly: exit 0, "stopped" logged, Lease released, health port closed', async () => {
  const leasePath = `/apis/coordination.k8s.io/v1/namespaces/${OPERATOR_NAMESPACE}/leases/tapr-ws-operator`;
  const held = await api.request<LeaseObject>({ method: 'GET', path: leasePath });
  assert.ok((held.spec?.holderIdentity ?? '') !== '', 'the running operator holds the Lease');
  operator.child.kill('SIGTERM');
  assert.equal(await operator.exited, 0);
  assert.ok(operator.logs.some((entry) => entry.msg === 'stopped'));
  assert.equal(operator.stderr(), '');
  const released = await api.request<LeaseObject>({ method: 'GET', path: leasePath });
  assert.notEqual(released.spec?.holderIdentity, held.spec?.holderIdentity, 'another replica can take over at once');
  await assert.rejects(fetch(`${healthUrl}/healthz`));
});
