// Behaviour-suite support: the cluster under test — any cluster from KUBE_BEHAVIOUR_KUBECONFIG, else a local one —
// plus a throwaway namespace, raw HTTPS requests, API error checks and a recording watch.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request, type RequestOptions } from 'node:https';
import { randomBytes } from 'node:crypto';
import { after } from 'node:test';
import { CoreV1Api, KubeConfig, Watch } from '@kubernetes/client-node';
import { startCluster, type ClusterFaults, type StartClusterOptions } from '../../start-cluster.ts';

export interface ClusterUnderTest {
  kc: KubeConfig;
  /** Only for the local cluster (its fault proxy, etcd and apiserver restarts); undefined when pointed at another one. */
  faults: ClusterFaults | undefined;
  /** Only for the local cluster: the host's address on the pod network (a non-loopback address of this machine). */
  podNetworkHostIp: string | undefined;
  namespace: string;
  stop(): Promise<void>;
}

interface Hooks {
  after(fn: () => Promise<void>): void;
}

interface LocalCluster {
  readonly kubeconfig: string;
  readonly faults: ClusterFaults;
  readonly podNetworkHostIp: string | undefined;
  stop(): Promise<void>;
}

async function startLocal(options: Pick<StartClusterOptions, 'images'>): Promise<LocalCluster> {
  const dir = await mkdtemp(join(tmpdir(), 'tapr-cluster-'));
  const cluster = await startCluster({ dir, images: options.images ?? {}, restartBackoffMs: { base: 300, max: 5000 } });
  return {
    kubeconfig: cluster.kubeconfig, faults: cluster.faults, podNetworkHostIp: cluster.controlPlane.network.hostIp,
    stop: async () => {
      await cluster.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

// One cluster per test file (about 5 s to start): tests in a file run one after another, each in a namespace of its
// own, so they can share it (a file's tests all pass the same image map); it stops when the file's tests are done.
let shared: Promise<LocalCluster> | undefined;
after(async () => {
  if (shared !== undefined) await (await shared).stop();
});

/** `images`: the node agent's image map for the pod tests' fixtures (another cluster ignores it). */
export async function clusterUnderTest(t: Hooks, options: Pick<StartClusterOptions, 'images'> = {}): Promise<ClusterUnderTest> {
  const kc = new KubeConfig();
  let faults: ClusterFaults | undefined;
  let podNetworkHostIp: string | undefined;
  const external = process.env.KUBE_BEHAVIOUR_KUBECONFIG;
  if (external !== undefined && external !== '') {
    kc.loadFromFile(external);
  } else {
    shared ??= startLocal(options);
    const local = await shared;
    kc.loadFromString(local.kubeconfig);
    faults = local.faults;
    podNetworkHostIp = local.podNetworkHostIp;
  }
  const namespace = `bt-${randomBytes(4).toString('hex')}`;
  const core = kc.makeApiClient(CoreV1Api);
  await core.createNamespace({ body: { metadata: { name: namespace } } });
  const stop = async (): Promise<void> => {
    await core.deleteNamespace({ name: namespace });
  };
  t.after(stop);
  return { kc, faults, podNetworkHostIp, namespace, stop };
}

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  json<T = Record<string, unknown>>(): T;
}

/** One HTTPS request with the kubeconfig's credentials (for what the typed client cannot ask: Tables, odd content types). */
export async function rawRequest(kc: KubeConfig, path: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<RawResponse> {
  const server = new URL(kc.getCurrentCluster()!.server);
  const opts: RequestOptions = {
    host: server.hostname, port: server.port, path, method: init.method ?? 'GET', headers: { Accept: 'application/json', ...init.headers },
  };
  await kc.applyToHTTPSOptions(opts);
  return await new Promise<RawResponse>((resolve, reject) => {
    const req = request(opts, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => { body += c.toString(); });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body, json: <T>() => JSON.parse(body) as T }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(init.body);
  });
}

export interface StatusBody {
  kind: string;
  code: number;
  reason: string;
  message: string;
  details?: { name?: string; kind?: string; group?: string; causes?: { field?: string; reason?: string; message?: string }[] };
}

/** Awaits a rejected client call and returns its Status body after checking the HTTP code (and reason). */
export async function expectStatus(call: Promise<unknown>, code: number, reason?: string): Promise<StatusBody> {
  try {
    await call;
  } catch (err) {
    const e = err as { code?: number; body?: unknown };
    if (e.code !== code) throw new Error(`expected HTTP ${code}, got ${String(e.code)}: ${String(e.body)}`, { cause: err });
    const body = (typeof e.body === 'string' ? JSON.parse(e.body) : e.body) as StatusBody;
    if (body.kind !== 'Status') throw new Error(`expected a Status body, got ${JSON.stringify(body)}`, { cause: err });
    if (reason !== undefined && body.reason !== reason) throw new Error(`expected reason ${reason}, got ${body.reason}: ${body.message}`, { cause: err });
    return body;
  }
  throw new Error(`expected HTTP ${code}, but the call succeeded`);
}

export interface WatchEvent {
  type: string;
  object: { metadata?: { name?: string; resourceVersion?: string; annotations?: Record<string, string> }; code?: number; reason?: string; [k: string]: unknown };
}

export interface RecordingWatch {
  events: WatchEvent[];
  /** Set once the stream ended (null: closed cleanly). */
  ended: { err: unknown } | undefined;
  waitFor(predicate: (events: WatchEvent[]) => boolean, timeoutMs?: number): Promise<void>;
  waitForEnd(timeoutMs?: number): Promise<void>;
  abort(): void;
}

export async function recordWatch(kc: KubeConfig, path: string, params: Record<string, string | number | boolean | undefined>): Promise<RecordingWatch> {
  const events: WatchEvent[] = [];
  const waiters = new Set<() => void>();
  const notify = (): void => { for (const w of waiters) w(); };
  /** Re-checks `outcome` now and on every watch event: true resolves, an Error rejects, undefined keeps waiting. */
  const settleOnEvents = (outcome: () => true | Error | undefined, timeoutMs: number, timeoutMessage: () => string): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      const check = (): void => {
        const result = outcome();
        if (result === undefined) return;
        cleanup();
        if (result === true) resolve();
        else reject(result);
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(timeoutMessage()));
      }, timeoutMs);
      const cleanup = (): void => {
        clearTimeout(timer);
        waiters.delete(check);
      };
      waiters.add(check);
      check();
    });
  const rec: RecordingWatch = {
    events,
    ended: undefined,
    waitFor: (predicate, timeoutMs = 10_000) => settleOnEvents(
      () => {
        if (predicate(events)) return true;
        if (rec.ended !== undefined) return new Error(`watch ended before the expected events; got ${JSON.stringify(events.map((e) => e.type))}`);
        return undefined;
      },
      timeoutMs,
      () => `timed out waiting for watch events; got ${JSON.stringify(events.map((e) => [e.type, e.object.metadata?.name]))}`,
    ),
    waitForEnd: (timeoutMs = 10_000) => settleOnEvents(() => (rec.ended !== undefined ? true : undefined), timeoutMs, () => 'timed out waiting for the watch to end'),
    abort: () => controller.abort(),
  };
  const controller = await new Watch(kc).watch(path, params, (type, _obj, raw: WatchEvent) => {
    events.push(raw ?? { type, object: _obj as WatchEvent['object'] });
    notify();
  }, (err: unknown) => {
    rec.ended = { err };
    notify();
  });
  return rec;
}

/** The same cluster, authenticated with another bearer token (e.g. a ServiceAccount's). */
export function kubeConfigWithToken(kc: KubeConfig, token: string): KubeConfig {
  const cluster = kc.getCurrentCluster()!;
  const out = new KubeConfig();
  out.loadFromOptions({
    clusters: [cluster],
    users: [{ name: 'token-user', token }],
    contexts: [{ name: 'token', cluster: cluster.name, user: 'token-user' }],
    currentContext: 'token',
  });
  return out;
}

/** Polls `fn` until it returns a value other than undefined. */
export async function eventually<T>(fn: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}
