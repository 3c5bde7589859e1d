// Operator benchmark (`npm run bench:operator`): admission latency (labelled vs unlabelled pod creates), operator RSS
// with N opted-in Deployments, and Deployment-create → Ready=True, against the local Kubernetes (the real control plane
// and the node agent, start-cluster.ts) and the real operator process (`node operator/src/main.ts`). A report, not a
// test: exit 1 only if something broke, 0 on PASS or MISS. I/O.
//
// Knobs (env): BENCH_ADMISSIONS (default 1000) · BENCH_DEPLOYMENTS (default 1000) · BENCH_CONCURRENCY (default 20) ·
// BENCH_READY_TRIALS (default 3) · BENCH_ONLY=admission,rss,ready,ready-default. Everything on loopback; every wait bounded.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { startCluster, type Cluster } from '../cluster/start-cluster.ts';
import { createApiClient, type ApiClient } from '../../operator/src/kube/api-client.ts';
import { connectWithKubeconfigText } from '../../operator/src/kube/cluster-connection.ts';
import {
  applyCrd, condition, createManifest, createNamespace, eventually, gatewayPath, getIfExists, manifestText, OPERATOR_NAMESPACE, type GatewayObject,
} from '../operator/operator-env.ts';
import { IDLE_APP_IMAGE } from '../operator/sampling-env.ts';
import { readRssKiB } from './processes.ts';
import { summarize, type Summary } from './stats.ts';

const config = {
  admissions: Number(process.env.BENCH_ADMISSIONS ?? 1000),
  deployments: Number(process.env.BENCH_DEPLOYMENTS ?? 1000),
  concurrency: Number(process.env.BENCH_CONCURRENCY ?? 20),
  readyTrials: Number(process.env.BENCH_READY_TRIALS ?? 3),
  fastStatusInterval: '1s',
  convergeTimeoutMs: 150_000,
  readyTimeoutMs: 60_000,
  rssSettleMs: 3_000,
  /** The 10 s-interval Ready trials only start if this much of the budget is still left. */
  defaultIntervalMinLeftMs: 100_000,
  totalBudgetMs: 7 * 60_000,
};
const phases = new Set((process.env.BENCH_ONLY ?? 'admission,rss,ready,ready-default').split(','));
const operatorMain = fileURLToPath(new URL('../../operator/src/main.ts', import.meta.url));
const IDLE_APP_ENTRY = join(import.meta.dirname, '..', 'cluster', 'fixtures', 'env-printer.ts');
/** In the node agent's built-in image map: runs sidecar/src/main.ts (used for the Ready figure). */
const RUNNABLE_GATEWAY_IMAGE = 'ghcr.io/tapr-ws/ws-gateway:bench';
/** Not in the image map: pods admitted while the operator injects these never start a process (admission and RSS). */
const UNRUNNABLE_GATEWAY_IMAGE = 'example/ws-gateway-not-in-map:1';
const UNRUNNABLE_IMAGE = 'example/not-in-map:1';
const MANIFEST = 'chat-manifest';
const MANIFEST_LABEL = 'tapr.io/manifest';

const problems: string[] = [];
const notes: string[] = [];
const started = performance.now();
const log = (line: string): void => console.log(`[bench ${((performance.now() - started) / 1000).toFixed(1)}s] ${line}`);
const elapsedMs = (): number => performance.now() - started;

// ---- the operator process ---------------------------------------------------------------------------------------

interface OperatorProcess {
  child: ChildProcess;
  pid: number;
  statusInterval: string;
  gatewayImage: string;
  stderr(): string;
  exited: Promise<number | null>;
}

let liveOperator: OperatorProcess | undefined;

async function spawnOperator(kubeconfigPath: string, statusInterval: string, gatewayImage: string): Promise<OperatorProcess> {
  const child = spawn(process.execPath, [
    operatorMain, '--namespace', OPERATOR_NAMESPACE, '--gateway-image', gatewayImage, '--webhook-port', '0',
    '--health-host', '127.0.0.1', '--health-port', '0', '--log-level', 'info', '--status-interval', statusInterval,
  ], { env: { PATH: process.env.PATH ?? '', KUBECONFIG: kubeconfigPath }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  let ready = false;
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk; });
  createInterface({ input: child.stdout }).on('line', (line) => {
    if (line.includes('"operator ready"')) ready = true;
  });
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  const operator: OperatorProcess = { child, pid: child.pid!, statusInterval, gatewayImage, stderr: () => stderr, exited };
  liveOperator = operator;
  await eventually('the "operator ready" line', () => {
    if (child.exitCode !== null) throw new Error(`operator exited ${child.exitCode}: ${stderr}`);
    return ready ? true : undefined;
  }, 60_000);
  return operator;
}

async function stopOperator(operator: OperatorProcess): Promise<void> {
  if (operator.child.exitCode !== null || operator.child.signalCode !== null) return;
  operator.child.kill('SIGTERM');
  const timer = setTimeout(() => operator.child.kill('SIGKILL'), 25_000);
  const code = await operator.exited;
  clearTimeout(timer);
  if (code !== 0) problems.push(`operator (status interval ${operator.statusInterval}) exited ${code} on SIGTERM: ${operator.stderr().trim()}`);
  if (liveOperator === operator) liveOperator = undefined;
}

// ---- helpers ----------------------------------------------------------------------------------------------------

/** Runs `tasks` with at most `limit` in flight; resolves when all are done (tasks handle their own errors). */
async function runBounded(tasks: readonly (() => Promise<void>)[], limit: number): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < tasks.length) {
      const task = tasks[next++]!;
      await task();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
}

interface PodObject { spec: { initContainers?: { name: string }[]; containers: { name: string }[] } }

function isInjected(pod: PodObject): boolean {
  return [...(pod.spec.initContainers ?? []), ...pod.spec.containers].some((container) => container.name === 'ws-gateway');
}

function podBody(name: string, labelled: boolean): Record<string, unknown> {
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name, labels: { app: 'bench', ...(labelled ? { [MANIFEST_LABEL]: MANIFEST } : {}) } },
    spec: { terminationGracePeriodSeconds: 0, containers: [{ name: 'app', image: UNRUNNABLE_IMAGE }] },
  };
}

function deploymentBody(name: string, replicas: number, image: string): Record<string, unknown> {
  return {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name, [MANIFEST_LABEL]: MANIFEST } },
        spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'app', image, ports: [{ containerPort: 8888 }] }] },
      },
    },
  };
}

/**
 * A namespace with the shared manifest. With `probe`, waits until the running operator's webhook injects pods there
 * (its cache has the manifest) — only while the operator injects the unrunnable gateway image: a probe pod deleted at
 * once while its gateway starts can leave that process behind. Without, the manifest must exist before the operator
 * starts (its caches sync before it reports ready).
 */
async function prepareNamespace(api: ApiClient, namespace: string, probe = true): Promise<void> {
  await createNamespace(api, namespace);
  await createManifest(api, namespace, MANIFEST, manifestText({ url: '/ws/message', port: 8888 }));
  if (!probe) return;
  let probeCount = 0;
  await eventually(`the manifest in ${namespace} in the operator's cache`, async () => {
    const name = `probe-${probeCount++}`;
    const pod = await api.request<PodObject>({ method: 'POST', path: `/api/v1/namespaces/${namespace}/pods`, body: podBody(name, true) });
    await api.request({ method: 'DELETE', path: `/api/v1/namespaces/${namespace}/pods/${name}` });
    return isInjected(pod) ? true : undefined;
  }, 30_000);
}

const median = (values: readonly number[]): number => summarize(values).p50;

// ---- 1. admission latency ---------------------------------------------------------------------------------------

interface AdmissionResult { labelled: Summary; unlabelled: Summary; count: number; notInjected: number; failed: number }

async function measureAdmission(api: ApiClient): Promise<AdmissionResult> {
  const namespace = 'bench-admission';
  await prepareNamespace(api, namespace);
  const labelled: number[] = [];
  const unlabelled: number[] = [];
  let notInjected = 0;
  let failed = 0;
  const tasks: (() => Promise<void>)[] = [];
  // Interleaved so that both kinds see the same background load.
  for (let i = 0; i < config.admissions; i++) {
    for (const withLabel of [true, false]) {
      tasks.push(async () => {
        const name = `${withLabel ? 'l' : 'u'}-${i}`;
        const t0 = performance.now();
        try {
          const pod = await api.request<PodObject>({ method: 'POST', path: `/api/v1/namespaces/${namespace}/pods`, body: podBody(name, withLabel) });
          const ms = performance.now() - t0;
          (withLabel ? labelled : unlabelled).push(ms);
          if (withLabel && !isInjected(pod)) notInjected++;
          if (!withLabel && isInjected(pod)) problems.push(`admission: unlabelled pod ${name} was injected`);
        } catch (error) {
          failed++;
          if (failed <= 3) log(`admission: create ${name} failed: ${String(error)}`);
        }
      });
    }
  }
  const t0 = performance.now();
  await runBounded(tasks, config.concurrency);
  log(`admission: ${tasks.length} creates (${config.admissions} labelled + ${config.admissions} unlabelled, ${config.concurrency} in flight) in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  if (failed > 0) problems.push(`admission: ${failed} pod creates failed`);
  if (notInjected > 0) problems.push(`admission: ${notInjected} labelled pods came back without the ws-gateway container`);
  return { labelled: summarize(labelled), unlabelled: summarize(unlabelled), count: config.admissions, notInjected, failed };
}

// ---- 2. RSS with N opted-in Deployments ---------------------------------------------------------------------------

interface RssResult { count: number; rssBeforeKiB: number; rssKiB: number; convergeMs: number; afterLastCreateMs: number; createMs: number }

async function measureRss(api: ApiClient, operator: OperatorProcess): Promise<RssResult> {
  const namespace = 'bench-rss';
  await prepareNamespace(api, namespace);
  const rssBeforeKiB = readRssKiB(operator.pid);
  let failed = 0;
  const t0 = performance.now();
  const tasks = Array.from({ length: config.deployments }, (_, i) => async (): Promise<void> => {
    try {
      await api.request({ method: 'POST', path: `/apis/apps/v1/namespaces/${namespace}/deployments`, body: deploymentBody(`app-${i}`, 0, UNRUNNABLE_IMAGE) });
    } catch (error) {
      failed++;
      if (failed <= 3) log(`rss: create app-${i} failed: ${String(error)}`);
    }
  });
  await runBounded(tasks, config.concurrency);
  const createdAt = performance.now();
  log(`rss: ${config.deployments - failed} Deployments created in ${((createdAt - t0) / 1000).toFixed(1)} s; waiting for the WebSocketGateways`);
  if (failed > 0) problems.push(`rss: ${failed} Deployment creates failed`);
  const want = config.deployments - failed;
  let lastCount = -1;
  await eventually(`${want} WebSocketGateways`, async () => {
    const list = await api.request<{ items: unknown[] }>({ method: 'GET', path: `/apis/tapr.io/v1alpha1/namespaces/${namespace}/websocketgateways` });
    if (list.items.length !== lastCount) {
      lastCount = list.items.length;
      log(`rss: ${lastCount}/${want} WebSocketGateways`);
    }
    return list.items.length >= want ? true : undefined;
  }, config.convergeTimeoutMs);
  const convergedAt = performance.now();
  await sleep(config.rssSettleMs);
  const rssKiB = readRssKiB(operator.pid);
  return { count: want, rssBeforeKiB, rssKiB, convergeMs: convergedAt - t0, afterLastCreateMs: convergedAt - createdAt, createMs: createdAt - t0 };
}

// ---- 3. Deployment create → Ready=True ----------------------------------------------------------------------------

async function measureReady(api: ApiClient, namespace: string, trials: number): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < trials; i++) {
    const name = `ready-${i}`;
    const t0 = performance.now();
    await api.request({ method: 'POST', path: `/apis/apps/v1/namespaces/${namespace}/deployments`, body: deploymentBody(name, 1, IDLE_APP_IMAGE) });
    let lastReady: string | undefined;
    try {
      await eventually(`${namespace}/${name} Ready=True`, async () => {
        const gateway = await getIfExists<GatewayObject>(api, gatewayPath(namespace, name));
        const ready = condition(gateway, 'Ready');
        lastReady = ready === undefined ? 'no CR or no Ready condition' : `${ready.status} ${ready.reason}: ${ready.message}`;
        return ready?.status === 'True' ? true : undefined;
      }, config.readyTimeoutMs);
      const ms = performance.now() - t0;
      times.push(ms);
      log(`ready: ${namespace}/${name} Ready=True after ${(ms / 1000).toFixed(2)} s`);
    } catch (error) {
      problems.push(`ready: ${namespace}/${name}: ${error instanceof Error ? error.message : String(error)} (last: ${lastReady ?? '—'})`);
    }
    // Stops its pod (and the gateway and app processes) before the next trial.
    await api.request({ method: 'DELETE', path: `/apis/apps/v1/namespaces/${namespace}/deployments/${name}` });
  }
  return times;
}

// ---- report -------------------------------------------------------------------------------------------------------

interface Line { figure: string; value?: number | undefined; baseline?: number | undefined; format: (v: number) => string; target: string; pass?: (v: number) => boolean }

function renderLines(lines: readonly Line[]): string {
  const rows = lines.map((line) => {
    const v = line.value;
    const verdict = !line.pass ? 'info' : v === undefined ? 'n/a' : line.pass(v) ? 'PASS' : 'MISS';
    return [line.figure, v === undefined ? '—' : line.format(v), line.baseline === undefined ? '—' : line.format(line.baseline), line.target, verdict];
  });
  const header = ['figure', 'value', 'baseline', 'target', 'result'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const render = (cells: string[]): string => `| ${cells.map((c, i) => (i === 0 || i === 3 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ')} |`;
  return [render(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(render)].join('\n');
}

async function step<T>(name: string, run: () => Promise<T>): Promise<T | undefined> {
  if (!phases.has(name)) return undefined;
  try {
    return await run();
  } catch (error) {
    const cause = error instanceof Error && error.cause instanceof Error ? ` (${error.cause.message})` : '';
    problems.push(`${name}: ${error instanceof Error ? error.message : String(error)}${cause}`);
    log(`${name} FAILED: ${String(error)}`);
    return undefined;
  }
}

let cluster: Cluster | undefined;
let api: ApiClient | undefined;
let dir: string | undefined;

/** Pids of this process's own children still alive (from /proc; Linux). */
function ownChildren(): number[] {
  try {
    return readdirSync(`/proc/${process.pid}/task`).flatMap((task) => readFileSync(`/proc/${process.pid}/task/${task}/children`, 'utf8').trim().split(/\s+/))
      .filter((pid) => pid !== '').map(Number);
  } catch {
    return [];
  }
}

async function cleanUp(): Promise<void> {
  if (liveOperator !== undefined) await stopOperator(liveOperator);
  api?.close();
  await cluster?.stop();
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  // The node agent should have stopped every container; whatever it left would keep this process alive.
  const left = ownChildren();
  if (left.length > 0) {
    problems.push(`${left.length} child processes were still running after the cluster stopped (pids ${left.join(', ')}); killed`);
    for (const pid of left) process.kill(pid, 'SIGKILL');
  }
}

async function main(): Promise<void> {
  log(`node ${process.version}; operator ${operatorMain}; phases ${[...phases].join(', ')}; load average ${loadavg().map((v) => v.toFixed(2)).join(' ')}`);
  dir = await mkdtemp(join(tmpdir(), 'tapr-operator-bench-'));
  // The real control plane and the node agent; no fault proxy, so admission latency is the API server's and the webhook's.
  cluster = await startCluster({
    dir, faultProxy: false, onNodeAgentError: () => {}, log,
    images: { [IDLE_APP_IMAGE]: { command: [process.execPath, IDLE_APP_ENTRY] } }, restartBackoffMs: { base: 200, max: 1000 },
  });
  api = createApiClient(await connectWithKubeconfigText(cluster.kubeconfig, dir));
  const client = api;
  const kubeconfigPath = cluster.kubeconfigPath;
  await applyCrd(client);
  await createNamespace(client, OPERATOR_NAMESPACE);

  // Operator 1 injects a gateway image the node agent cannot run: admitted pods start no process.
  let operator = await spawnOperator(kubeconfigPath, config.fastStatusInterval, UNRUNNABLE_GATEWAY_IMAGE);
  log(`operator pid ${operator.pid} ready (status interval ${operator.statusInterval}, gateway image ${operator.gatewayImage}), VmRSS ${(readRssKiB(operator.pid) / 1024).toFixed(1)} MiB`);

  // RSS first, so that the pods of the admission phase are not in the operator's caches when RSS is read.
  const rss = await step('rss', async () => await measureRss(client, operator));
  if (rss) log(`rss: ${rss.count} Deployments: operator VmRSS ${(rss.rssKiB / 1024).toFixed(1)} MiB (before ${(rss.rssBeforeKiB / 1024).toFixed(1)} MiB); all CRs ${(rss.convergeMs / 1000).toFixed(1)} s after the first create (${(rss.afterLastCreateMs / 1000).toFixed(1)} s after the last; creating took ${(rss.createMs / 1000).toFixed(1)} s)`);

  const admission = await step('admission', async () => await measureAdmission(client));
  if (admission) {
    const l = admission.labelled;
    const u = admission.unlabelled;
    log(`admission: labelled p50 ${l.p50.toFixed(2)} ms p99 ${l.p99.toFixed(2)} ms max ${l.max.toFixed(2)} ms; unlabelled p50 ${u.p50.toFixed(2)} ms p99 ${u.p99.toFixed(2)} ms max ${u.max.toFixed(2)} ms; webhook adds p50 ${(l.p50 - u.p50).toFixed(2)} ms p99 ${(l.p99 - u.p99).toFixed(2)} ms; not injected ${admission.notInjected}, failed ${admission.failed}`);
  }
  await stopOperator(operator);

  // Operators 2 and 3 inject the runnable gateway; the manifests exist before they start (no probe pods).
  let ready: number[] | undefined;
  let readyDefault: number[] | undefined;
  if (phases.has('ready')) {
    ready = await step('ready', async () => {
      await prepareNamespace(client, 'bench-ready', false);
      if (phases.has('ready-default')) await prepareNamespace(client, 'bench-ready-default', false);
      operator = await spawnOperator(kubeconfigPath, config.fastStatusInterval, RUNNABLE_GATEWAY_IMAGE);
      log(`operator restarted (pid ${operator.pid}, status interval ${operator.statusInterval}, gateway image ${operator.gatewayImage})`);
      const times = await measureReady(client, 'bench-ready', config.readyTrials);
      await stopOperator(operator);
      return times;
    });
    if (ready?.length) log(`ready (interval ${config.fastStatusInterval}): ${ready.map((ms) => (ms / 1000).toFixed(2)).join(', ')} s; median ${(median(ready) / 1000).toFixed(2)} s`);
  }
  if (phases.has('ready') && phases.has('ready-default')) {
    const left = config.totalBudgetMs - elapsedMs();
    if (left < config.defaultIntervalMinLeftMs) notes.push(`Ready with the default 10s status interval not measured: only ${Math.round(left / 1000)} s of the budget left`);
    else {
      readyDefault = await step('ready-default', async () => {
        operator = await spawnOperator(kubeconfigPath, '10s', RUNNABLE_GATEWAY_IMAGE);
        log(`operator restarted (pid ${operator.pid}, default status interval ${operator.statusInterval})`);
        const times = await measureReady(client, 'bench-ready-default', config.readyTrials);
        await stopOperator(operator);
        return times;
      });
      if (readyDefault?.length) log(`ready (interval 10s): ${readyDefault.map((ms) => (ms / 1000).toFixed(2)).join(', ')} s; median ${(median(readyDefault) / 1000).toFixed(2)} s`);
    }
  }
  log(`load average ${loadavg().map((v) => v.toFixed(2)).join(' ')}`);

  const ms = (v: number): string => `${v.toFixed(2)} ms`;
  const s = (v: number): string => `${(v / 1000).toFixed(2)} s`;
  const mib = (kib: number): string => `${(kib / 1024).toFixed(1)} MiB`;
  console.log('');
  console.log(`Operator benchmark: ${admission?.count ?? 0} labelled + ${admission?.count ?? 0} unlabelled pod creates (${config.concurrency} in flight, baseline = unlabelled, no webhook call); `
    + `${rss?.count ?? 0} opted-in Deployments (replicas 0, shared manifest); Ready = median of ${config.readyTrials} Deployments with 1 running replica, CR polled every 100 ms`);
  console.log('');
  console.log(renderLines([
    { figure: 'admission latency p50', value: admission?.labelled.p50, baseline: admission?.unlabelled.p50, format: ms, target: '' },
    { figure: 'admission latency p99', value: admission?.labelled.p99, baseline: admission?.unlabelled.p99, format: ms, target: '' },
    { figure: 'webhook adds (p50)', value: admission ? admission.labelled.p50 - admission.unlabelled.p50 : undefined, format: ms, target: '' },
    { figure: 'webhook adds (p99)', value: admission ? admission.labelled.p99 - admission.unlabelled.p99 : undefined, format: ms, target: '' },
    { figure: 'labelled pods not injected', value: admission ? admission.notInjected + admission.failed : undefined, format: (v) => String(v), target: '0', pass: (v) => v === 0 },
    { figure: `operator RSS, ${rss?.count ?? 0} Deployments`, value: rss?.rssKiB, baseline: rss?.rssBeforeKiB, format: mib, target: '≤ 200 MB', pass: (v) => v * 1024 <= 200 * 1000 * 1000 },
    { figure: 'all WebSocketGateways present', value: rss?.convergeMs, format: s, target: 'from 1st create' },
    { figure: `create → Ready=True (${config.fastStatusInterval} interval)`, value: ready?.length ? median(ready) : undefined, format: s, target: 'median' },
    { figure: 'create → Ready=True (10s interval)', value: readyDefault?.length ? median(readyDefault) : undefined, format: s, target: 'median' },
  ]));
  console.log('(baseline: unlabelled creates for admission; the operator RSS before the Deployments for RSS)');
}

process.on('SIGINT', () => { liveOperator?.child.kill('SIGKILL'); process.exit(130); });
process.on('SIGTERM', () => { liveOperator?.child.kill('SIGKILL'); process.exit(143); });
process.on('exit', () => { liveOperator?.child.kill('SIGKILL'); });
const budget = setTimeout(() => {
  console.error(`bench: gave up after ${config.totalBudgetMs / 1000} s`);
  const forced = setTimeout(() => process.exit(1), 15_000);
  forced.unref();
  cleanUp().finally(() => process.exit(1)).catch(() => {});
}, config.totalBudgetMs);
budget.unref();

try {
  await main();
} catch (error) {
  problems.push(error instanceof Error ? error.message : String(error));
}
try {
  await cleanUp();
} catch (error) {
  problems.push(`clean-up: ${String(error)}`);
}
clearTimeout(budget);
for (const note of notes) console.log(`note: ${note}`);
if (problems.length) {
  console.log('\nSomething broke:');
  for (const problem of problems) console.log(`  - ${problem}`);
  process.exitCode = 1;
}
