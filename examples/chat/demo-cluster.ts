// `npm run demo`: the full stack on the local Kubernetes (test/cluster) — CRD, operator (child process, as
// `npm run operator`), Redis, the chat app as a 2-replica Deployment with its manifest ConfigMap, and the login proxy
// that plays ingress + auth proxy in front of the injected gateways. Prints `kubectl get wsgw -A` as it changes;
// Ctrl-C/SIGTERM stops everything and exits 0. I/O (the objects and the table text are in demo-objects.ts).
//
//   npm run demo -- [--port 8080] [--replicas 2] [--no-redis] [--verbose]
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { load as loadYaml } from 'js-yaml';
import { startCluster, type Cluster } from '../../test/cluster/start-cluster.ts';
import type { ImageMap } from '../../test/cluster/node/image-map.ts';
import { startRedisServer, type RedisServer } from '../../test/support/redis-server.ts';
import { createApiClient, getIfExists, isApiError, type KubeClient } from '../../operator/src/kube/api-client.ts';
import { connectWithKubeconfigText } from '../../operator/src/kube/cluster-connection.ts';
import { startDevProxy, type DevProxy, type GatewayAddress } from './dev-proxy.ts';
import {
  APP_IMAGE, buildChatDeployment, buildManifestConfigMap, buildNamespace, buildRedisSecret, chooseGateway, DEMO_NAMESPACE,
  DEPLOYMENT, OPERATOR_NAMESPACE, readyGateways, REDIS_SECRET, renderTable, tableChangeKey,
} from './demo-objects.ts';
import { stopOnSignals } from './stop-signals.ts';

const HOST = '127.0.0.1';
/** `kubectl get` asks for this: the server prints the rows with the resource's own columns. */
const TABLE_ACCEPT = 'application/json;as=Table;v=v1;g=meta.k8s.io, application/json';
const REPO = resolve(import.meta.dirname, '..', '..');
const CRD_PATH = join(REPO, 'crds', 'websocketgateways.tapr.io.yaml');
const WSGW_PATH = '/apis/tapr.io/v1alpha1/websocketgateways';
const STATUS_INTERVAL = '2s';
const TABLE_EVERY_MS = 2000;
const PODS_READY_WITHIN_MS = 120_000;

function fail(message: string): never {
  console.error(`demo: ${message}`);
  process.exit(2);
}

function sleep(ms: number): Promise<void> {
  return new Promise((done) => setTimeout(done, ms));
}

/**
 * The chat image runs examples/chat/app.ts. Each pod has its own network namespace, so the app listens on 127.0.0.1 and
 * calls its gateway at localhost:40010, and the gateway (built into the image map) calls the app at 127.0.0.1: the
 * Olares defaults, nothing rewritten per pod.
 */
function demoImageMap(): ImageMap {
  return {
    [APP_IMAGE.split(':')[0]!]: { command: [process.execPath, join(REPO, 'examples', 'chat', 'app.ts')] },
  };
}

type Exit = [number | null, NodeJS.Signals | null];

interface Operator {
  child: ChildProcess;
  exited: Promise<Exit>;
}

/** `node operator/src/main.ts` as a developer runs `npm run operator`; resolves on its "operator ready" line. */
async function startOperatorProcess(kubeconfigPath: string, withRedis: boolean, verbose: boolean): Promise<Operator> {
  const args = [
    join(REPO, 'operator', 'src', 'main.ts'), '--kubeconfig', kubeconfigPath, '--namespace', OPERATOR_NAMESPACE,
    '--webhook-port', '0', '--health-host', HOST, '--health-port', '0', '--status-interval', STATUS_INTERVAL,
    '--leader-election', 'off', '--restart-outdated', 'off',
    ...(withRedis ? ['--redis-secret', REDIS_SECRET] : []),
  ];
  const child = spawn(process.execPath, args, { env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' }, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = once(child, 'exit') as Promise<Exit>;
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
    process.stderr.write(`operator: ${chunk}`);
  });
  await new Promise<void>((ready, reject) => {
    const timer = setTimeout(() => reject(new Error('the operator did not log "operator ready" within 60 s')), 60_000);
    createInterface({ input: child.stdout }).on('line', (line) => {
      let entry: { msg?: unknown; level?: unknown } = {};
      try {
        entry = JSON.parse(line) as typeof entry;
      } catch {
        // not JSON: shown as it is
      }
      // Only its warnings and errors reach the terminal unless --verbose (levels by name, or pino's numbers: 40 = warn).
      const loud = typeof entry.level === 'number' ? entry.level >= 40 : typeof entry.level !== 'string' || ['warn', 'error', 'fatal'].includes(entry.level);
      if (verbose || loud) console.log(`operator: ${line}`);
      if (entry.msg === 'operator ready') {
        clearTimeout(timer);
        ready();
      }
    });
    void exited.then(([code, signal]) => {
      clearTimeout(timer);
      reject(new Error(`the operator exited (${String(code ?? signal)}) before it was ready ${stderr.trim()}`));
    });
  });
  return { child, exited };
}

async function stopChild(child: ChildProcess, exited: Promise<unknown>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const force = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(force);
}

/** Redis for the backplane, unless turned off or not installed (then one pod takes every connection). */
async function startRedis(wanted: boolean, host: string): Promise<RedisServer | undefined> {
  if (!wanted) {
    console.log('demo: --no-redis: no backplane; every connection goes to one pod so that tabs see each other');
    return undefined;
  }
  try {
    return await startRedisServer({ host });
  } catch (error) {
    console.log(`demo: WARNING: ${(error as Error).message}`);
    console.log('demo: WARNING: running without the Redis backplane: every connection goes to one pod so that tabs see each other.');
    console.log('demo: WARNING: install redis-server (Debian/Ubuntu: sudo apt-get install redis-server; macOS: brew install redis) to spread them over both pods.');
    return undefined;
  }
}

interface PodLike {
  metadata: { name: string };
  spec?: { containers?: { name: string }[]; initContainers?: { name: string }[] };
  status?: { phase?: string; conditions?: { type: string; status: string }[] };
}

function isInjectedAndReady(pod: PodLike): boolean {
  const containers = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])];
  return containers.some((c) => c.name === 'ws-gateway') &&
    pod.status?.phase === 'Running' && (pod.status.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
}

function describePods(pods: PodLike[]): string {
  if (pods.length === 0) return 'no pods yet';
  return pods.map((pod) => {
    const injected = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])].some((c) => c.name === 'ws-gateway');
    return `${pod.metadata.name} (${pod.status?.phase ?? 'no phase'}, ${injected ? 'gateway injected' : 'NO gateway injected'}, ${isInjectedAndReady(pod) ? 'ready' : 'not ready'})`;
  }).join(', ');
}

async function waitForGateways(kube: KubeClient, replicas: number): Promise<void> {
  const deadline = Date.now() + PODS_READY_WITHIN_MS;
  let said = '';
  for (;;) {
    const pods = (await kube.request<{ items: PodLike[] }>({ method: 'GET', path: `/api/v1/namespaces/${DEMO_NAMESPACE}/pods`, query: { labelSelector: `app=${DEPLOYMENT}` } })).items;
    const gateways = readyGateways(await getIfExists(kube, `/api/v1/namespaces/${DEMO_NAMESPACE}/endpoints/${DEPLOYMENT}-ws`));
    const ready = pods.filter(isInjectedAndReady).length;
    if (ready >= replicas && gateways.length >= replicas) return;
    const now = `demo: waiting for ${replicas} chat pods with their gateways: ${describePods(pods)}`;
    if (now !== said) console.log(now);
    said = now;
    if (Date.now() > deadline) throw new Error(`the chat pods were not ready within ${PODS_READY_WITHIN_MS / 1000} s: ${describePods(pods)}`);
    await sleep(500);
  }
}

export async function runClusterDemo(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      port: { type: 'string', default: '8080' },
      replicas: { type: 'string', default: '2' },
      'no-redis': { type: 'boolean', default: false },
      verbose: { type: 'boolean', default: false },
    },
  });
  const proxyPort = Number(values.port);
  if (!Number.isInteger(proxyPort) || proxyPort < 0 || proxyPort > 65535) fail(`--port: expected a port 0-65535 (0 = any free port), got ${JSON.stringify(values.port)}`);
  const replicas = Number(values.replicas);
  if (!Number.isInteger(replicas) || replicas < 1 || replicas > 10) fail(`--replicas: expected 1-10, got ${JSON.stringify(values.replicas)}`);
  const verbose = values.verbose;

  let dir: string | undefined;
  let redis: RedisServer | undefined;
  let cluster: Cluster | undefined;
  let kube: KubeClient | undefined;
  let operator: Operator | undefined;
  let proxyToClose: DevProxy | undefined;
  const timers: NodeJS.Timeout[] = [];
  let stopping = false;

  async function stop(exitCode: number): Promise<never> {
    stopping = true;
    for (const timer of timers) clearInterval(timer);
    await proxyToClose?.close().catch(() => undefined);
    if (operator) await stopChild(operator.child, operator.exited);
    kube?.close();
    // Stopping the cluster ends every pod's processes (app and gateway).
    await cluster?.stop().catch((error: unknown) => console.error(`demo: stopping the cluster: ${(error as Error).message}`));
    await redis?.stop().catch(() => undefined);
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
    if (exitCode === 0) console.log('demo: stopped');
    process.exit(exitCode);
  }

  stopOnSignals(() => stopping, stop);
  process.on('exit', () => {
    if (operator && operator.child.exitCode === null) operator.child.kill('SIGKILL');
    redis?.kill();
  });

  let gateways: (GatewayAddress & { pod: string })[] = [];
  let kubeconfigPath: string;
  let proxy: DevProxy;
  try {
    // The proxy listens first, so a port already in use fails at once; it answers 503 until the gateways are ready.
    let turn = 0;
    proxy = await startDevProxy({
      port: proxyPort, host: HOST,
      pickGateway: (user) => {
        const gateway = chooseGateway(gateways, redis !== undefined, turn++);
        if (gateway !== undefined && verbose) console.log(`proxy: ${user} → ${gateway.pod} (${gateway.host}:${gateway.port})`);
        return gateway;
      },
      log: (line) => console.log(line),
    }).catch((error: unknown) => {
      throw new Error(`the login proxy cannot listen on ${HOST}:${proxyPort} (${(error as Error).message}); pick another port with --port`);
    });
    proxyToClose = proxy;
    dir = await mkdtemp(join(tmpdir(), 'tapr-chat-demo-'));
    console.log('demo: starting the local Kubernetes cluster (the first run builds it from Go modules: minutes)');
    cluster = await startCluster({
      dir, images: demoImageMap(), restartBackoffMs: { base: 500, max: 5000 }, faultProxy: false,
      log: (line) => console.log(`demo: ${line}`),
      onNodeAgentError: (error) => { if (verbose) console.error('node agent:', error); },
    });
    if (stopping) return;
    // Pods reach the host at its pod-network address: Redis listens there too.
    redis = await startRedis(!values['no-redis'], cluster.controlPlane.network.hostIp);
    if (stopping) return;
    kubeconfigPath = cluster.kubeconfigPath;
    const client = createApiClient(await connectWithKubeconfigText(cluster.kubeconfig, dir));
    kube = client;
    await client.request({ method: 'POST', path: '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', body: loadYaml(await readFile(CRD_PATH, 'utf8')) });
    // A new CRD is served once established; its storage answers 429 for a moment while it initializes.
    const served = async (): Promise<boolean> => (await getIfExists(client, WSGW_PATH).catch((error: unknown) => {
      if (isApiError(error, 429)) return undefined;
      throw error;
    })) !== undefined;
    for (let i = 0; !(await served()); i++) {
      if (i > 100) throw new Error('the WebSocketGateway CRD was not served within 10 s');
      await sleep(100);
    }
    await client.request({ method: 'POST', path: '/api/v1/namespaces', body: buildNamespace(OPERATOR_NAMESPACE) });
    await client.request({ method: 'POST', path: '/api/v1/namespaces', body: buildNamespace(DEMO_NAMESPACE) });
    if (redis) {
      // The operator reads its Secret (--redis-secret); the app reads the copy in its own namespace.
      await client.request({ method: 'POST', path: `/api/v1/namespaces/${OPERATOR_NAMESPACE}/secrets`, body: buildRedisSecret(OPERATOR_NAMESPACE, redis.url) });
      await client.request({ method: 'POST', path: `/api/v1/namespaces/${DEMO_NAMESPACE}/secrets`, body: buildRedisSecret(DEMO_NAMESPACE, redis.url) });
    }
    console.log(`demo: starting the operator (node operator/src/main.ts --kubeconfig ${kubeconfigPath} --status-interval ${STATUS_INTERVAL}${redis ? ` --redis-secret ${REDIS_SECRET}` : ''} …)`);
    operator = await startOperatorProcess(kubeconfigPath, redis !== undefined, verbose);
    void operator.exited.then(([code, signal]) => {
      if (stopping) return;
      console.error(`demo: the operator exited unexpectedly (${String(code ?? signal)}); stopping`);
      void stop(1);
    });
    await client.request({ method: 'POST', path: `/api/v1/namespaces/${DEMO_NAMESPACE}/configmaps`, body: buildManifestConfigMap(DEMO_NAMESPACE) });
    await client.request({ method: 'POST', path: `/apis/apps/v1/namespaces/${DEMO_NAMESPACE}/deployments`, body: buildChatDeployment(DEMO_NAMESPACE, replicas, redis !== undefined) });
    console.log(`demo: created Deployment ${DEMO_NAMESPACE}/${DEPLOYMENT} (${replicas} replica${replicas === 1 ? '' : 's'} of ${APP_IMAGE}) and its manifest ConfigMap`);
    await waitForGateways(client, replicas);
    if (stopping) return;

    // The proxy's view of the gateways: the ready addresses of the operator's `chat-ws` Service, refreshed every second.
    const endpointsPath = `/api/v1/namespaces/${DEMO_NAMESPACE}/endpoints/${DEPLOYMENT}-ws`;
    gateways = readyGateways(await getIfExists(client, endpointsPath));
    timers.push(setInterval(() => {
      getIfExists(client, endpointsPath).then((endpoints) => {
        const next = readyGateways(endpoints as Parameters<typeof readyGateways>[0]);
        const names = (list: typeof gateways) => list.map((g) => `${g.pod} ${g.host}`).join(', ');
        if (names(next) !== names(gateways)) console.log(`demo: gateways behind ${DEPLOYMENT}-ws: ${names(next) || 'none ready'}`);
        gateways = next;
      }, (error: unknown) => { if (verbose) console.error(`demo: reading ${endpointsPath}: ${(error as Error).message}`); });
    }, 1000));
  } catch (error) {
    // A signal during start-up makes the steps still running fail; stop() is already under way then.
    if (stopping) return;
    console.error(`demo: could not start: ${(error as Error).message}`);
    await stop(1);
    return;
  }
  if (stopping) return;

  const alias = proxy.url.replace(HOST, 'localhost');
  console.log(`demo ready: open ${proxy.url} and ${alias} in two browser tabs, log in as two names (Ctrl-C stops)`);
  console.log(`demo: kubeconfig ${kubeconfigPath}`);
  console.log(`demo: see it yourself: KUBECONFIG=${kubeconfigPath} kubectl get wsgw -A`);

  // `kubectl get wsgw -A`: the server prints the rows with the CRD's own printer columns; shown whenever they change.
  let lastKey = '';
  const client = kube;
  const printTable = async (): Promise<void> => {
    const table = await client.request<Parameters<typeof renderTable>[0]>({ method: 'GET', path: WSGW_PATH, query: { includeObject: 'Metadata' }, accept: TABLE_ACCEPT });
    const key = tableChangeKey(table);
    if (key === lastKey || stopping) return;
    lastKey = key;
    console.log(`demo: kubectl get wsgw -A  (${new Date().toISOString().slice(11, 19)})\n${renderTable(table)}`);
  };
  const reportError = (error: unknown) => { if (!stopping) console.error(`demo: reading the WebSocketGateways: ${(error as Error).message}`); };
  await printTable().catch(reportError);
  timers.push(setInterval(() => { printTable().catch(reportError); }, TABLE_EVERY_MS));
}
