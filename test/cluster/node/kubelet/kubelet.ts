// The kubelet stand-in (I/O): registers the Node, renews its Lease, watches the pods bound to it, runs each in its
// own network namespace (PodRuntime as local processes), writes pod status through pods/status, and finishes
// graceful deletion with a uid-preconditioned DELETE. Talks to the API server only through its own client.
import { readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { arch, cpus, release, totalmem } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import type { JsonObject } from '../json-value.ts';
import { buildContainerEnv, type EnvResult } from '../container-env.ts';
import type { ImageMap } from '../image-map.ts';
import { PodRuntime } from '../pod-runtime.ts';
import { ApiRequestError, isGoneOrReplaced, isNotFound, isTransient, type ApiClient, type WatchEvent } from './api-client.ts';
import type { ContainerLogs } from './log-server.ts';
import {
  buildKubernetesServiceEnv, buildLease, buildNode, buildNodeConditions, buildNodeStatus, buildStatusPatch, decideTokenMount,
  formatMicroTime, formatTime, NODE_LEASE_NAMESPACE, referencedConfig, type NodeFacts,
} from './node-object.ts';
import { buildPodCommand } from './pod-network-names.ts';
import type { PodNetwork } from './pod-network.ts';
import { TokenVolume } from './service-account-token.ts';

type Obj = Record<string, unknown>;

export interface KubeletOptions {
  client: ApiClient;
  nodeName: string;
  network: PodNetwork;
  kubeletPort: number;
  /** Where pods reach the API server (the forwarder on the bridge). */
  apiserverForPods: { host: string; port: number };
  caPem: string;
  /** Token volumes go under <stateDir>/pods/<uid>/. */
  stateDir: string;
  images: ImageMap;
  imageMapSource: string;
  backoffMs: { base: number; max: number };
  onError: (err: unknown) => void;
  leaseRenewMs?: number;
  /** Refresh tokens after this long instead of at 80% of their lifetime (tests). */
  tokenRefreshMs?: number;
  statusHeartbeatMs?: number;
}

interface PodWorker {
  uid: string;
  namespace: string;
  name: string;
  runtime: PodRuntime;
  token: TokenVolume;
  terminating: boolean;
  grace: number;
  lastStatus: string;
}

function meta(o: Obj): Obj {
  return (o.metadata ?? {}) as Obj;
}

function spec(o: Obj): Obj {
  return (o.spec ?? {}) as Obj;
}

function readOr(path: string, fallback: string): string {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return fallback;
  }
}

function osImage(): string {
  const m = /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(readOr('/etc/os-release', ''));
  return m?.[1] ?? 'Linux';
}

function baseEnv(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of ['PATH', 'HOME', 'TMPDIR', 'LANG', 'TZ']) {
    const v = process.env[k];
    if (v !== undefined) out[k] = v;
  }
  return out;
}

export class Kubelet {
  private readonly o: KubeletOptions;
  private readonly workers = new Map<string, PodWorker>();
  private readonly latest = new Map<string, Obj>();
  private readonly pendingStatus = new Set<string>();
  private chain: Promise<void> = Promise.resolve();
  private readonly abort = new AbortController();
  private readonly timers: NodeJS.Timeout[] = [];
  private stopped = false;
  private watching: Promise<void> | undefined;
  private nodeUid = '';
  private readonly since = formatTime(new Date());
  private readonly killOnExit = (): void => {
    for (const w of this.workers.values()) w.runtime.killNow();
  };

  constructor(o: KubeletOptions) {
    this.o = o;
  }

  /** Registers the node and its lease, then starts watching its pods. */
  async start(): Promise<void> {
    process.on('exit', this.killOnExit);
    await this.registerNode();
    await this.renewLease();
    this.every(this.o.leaseRenewMs ?? 10_000, () => this.renewLease());
    this.every(this.o.statusHeartbeatMs ?? 60_000, () => this.heartbeat());
    this.watching = this.watchPods();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers) clearInterval(t);
    this.abort.abort();
    await this.watching;
    await this.chain;
    const all = [...this.workers.values()];
    this.workers.clear();
    await Promise.all(all.map((w) => this.teardown(w)));
    process.off('exit', this.killOnExit);
  }

  private every(ms: number, f: () => Promise<void>): void {
    const t = setInterval(() => {
      if (this.stopped) return;
      f().catch((err: unknown) => { if (!isTransient(err)) this.o.onError(err); });
    }, ms);
    t.unref();
    this.timers.push(t);
  }

  private enqueue(f: () => Promise<void>): void {
    this.chain = this.chain.then(f).catch((err: unknown) => { if (!this.stopped) this.o.onError(err); });
  }

  private facts(): NodeFacts {
    return {
      name: this.o.nodeName, hostIp: this.o.network.network.hostIp, kubeletPort: this.o.kubeletPort,
      cpu: cpus().length, memoryBytes: totalmem(), maxPods: 110, kernelVersion: release(), osImage: osImage(), architecture: arch(),
      machineId: readOr('/etc/machine-id', randomUUID().replace(/-/g, '')), bootId: readOr('/proc/sys/kernel/random/boot_id', randomUUID()),
    };
  }

  private async registerNode(): Promise<void> {
    const now = formatTime(new Date());
    const path = `/api/v1/nodes/${this.o.nodeName}`;
    let node: Obj;
    try {
      node = await this.o.client.request('POST', '/api/v1/nodes', buildNode(this.facts(), now));
    } catch (err) {
      if (!(err instanceof ApiRequestError && err.code === 409)) throw err;
      node = await this.o.client.request('GET', path);
    }
    this.nodeUid = String(meta(node).uid);
    await this.o.client.request('PATCH', `${path}/status`, { status: buildNodeStatus(this.facts(), now, this.since) }, 'application/merge-patch+json');
  }

  private async heartbeat(): Promise<void> {
    const now = formatTime(new Date());
    await this.o.client.request('PATCH', `/api/v1/nodes/${this.o.nodeName}/status`, { status: { conditions: buildNodeConditions(now, this.since) } },
      'application/merge-patch+json');
  }

  private async renewLease(): Promise<void> {
    const path = `/apis/coordination.k8s.io/v1/namespaces/${NODE_LEASE_NAMESPACE}/leases/${this.o.nodeName}`;
    const lease = buildLease({ nodeName: this.o.nodeName, nodeUid: this.nodeUid, renewTime: formatMicroTime(new Date()) });
    try {
      const have = await this.o.client.request('GET', path);
      await this.o.client.request('PUT', path, { ...lease, metadata: { ...meta(lease), resourceVersion: meta(have).resourceVersion } });
    } catch (err) {
      if (!isNotFound(err)) throw err;
      await this.o.client.request('POST', `/apis/coordination.k8s.io/v1/namespaces/${NODE_LEASE_NAMESPACE}/leases`, lease);
    }
  }

  private async watchPods(): Promise<void> {
    const selector = encodeURIComponent(`spec.nodeName=${this.o.nodeName}`);
    let rv: string | undefined;
    while (!this.stopped) {
      try {
        if (rv === undefined) {
          const list = await this.o.client.request<{ metadata: { resourceVersion: string }; items: Obj[] }>('GET', `/api/v1/pods?fieldSelector=${selector}`);
          rv = list.metadata.resourceVersion;
          const seen = new Set<string>();
          for (const p of list.items) {
            const uid = String(meta(p).uid);
            seen.add(uid);
            this.onPod('MODIFIED', p);
          }
          for (const [uid, p] of [...this.latest]) if (!seen.has(uid)) this.onPod('DELETED', p);
        }
        await this.o.client.watch(`/api/v1/pods?fieldSelector=${selector}&watch=true&allowWatchBookmarks=true&timeoutSeconds=300&resourceVersion=${rv}`, (e: WatchEvent) => {
          if (e.type === 'ERROR') {
            rv = undefined;
            return;
          }
          const eventRv = meta(e.object).resourceVersion;
          if (typeof eventRv === 'string') rv = eventRv;
          if (e.type !== 'BOOKMARK') this.onPod(e.type, e.object);
        }, this.abort.signal);
      } catch (err) {
        if (this.stopped) return;
        if (err instanceof ApiRequestError && err.code === 410) rv = undefined;
        else if (!isTransient(err)) this.o.onError(new Error('watching pods', { cause: err }));
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
  }

  private onPod(type: 'ADDED' | 'MODIFIED' | 'DELETED', pod: Obj): void {
    const uid = String(meta(pod).uid);
    if (type === 'DELETED') {
      this.latest.delete(uid);
      this.enqueue(async () => {
        const w = this.workers.get(uid);
        if (w !== undefined) await this.teardown(w);
      });
      return;
    }
    this.latest.set(uid, pod);
    this.enqueue(() => this.sync(uid));
  }

  private async sync(uid: string): Promise<void> {
    const pod = this.latest.get(uid);
    if (pod === undefined || this.stopped) return;
    const m = meta(pod);
    const namespace = String(m.namespace);
    const name = String(m.name);
    const w = this.workers.get(uid);
    if (m.deletionTimestamp !== undefined && m.deletionTimestamp !== null) {
      const grace = typeof m.deletionGracePeriodSeconds === 'number' ? m.deletionGracePeriodSeconds : 30;
      if (w === undefined) {
        await this.remove(namespace, name, uid);
      } else if (w.terminating) {
        if (grace < w.grace) {
          w.grace = grace;
          w.runtime.shortenGrace(grace);
        }
      } else {
        w.terminating = true;
        w.grace = grace;
        w.runtime.terminate(grace)
          .then(() => this.enqueue(async () => {
            await this.writeStatus(uid);
            await this.teardown(w);
            await this.remove(namespace, name, uid);
          }))
          .catch(this.o.onError);
      }
      return;
    }
    if (w !== undefined) return;
    const phase = (pod.status as Obj | undefined)?.phase;
    if (phase === 'Succeeded' || phase === 'Failed') return;
    await this.startPod(pod);
  }

  private async startPod(pod: Obj): Promise<void> {
    const m = meta(pod);
    const uid = String(m.uid);
    const namespace = String(m.namespace);
    const name = String(m.name);
    const hostIP = this.o.network.network.hostIp;
    // hostNetwork pods share the host's network, so their IP is the node's (as on a real node).
    const attachment = spec(pod).hostNetwork === true ? { podIP: hostIP, netns: undefined } : await this.o.network.attach(uid);
    const serviceAccount = typeof spec(pod).serviceAccountName === 'string' ? String(spec(pod).serviceAccountName) : 'default';
    const firstMount = [...(spec(pod).initContainers as Obj[] ?? []), ...(spec(pod).containers as Obj[] ?? [])]
      .map((c) => decideTokenMount(pod, c)).find((x) => x !== undefined);
    const token = new TokenVolume({
      client: this.o.client, dir: join(this.o.stateDir, 'pods', uid, 'serviceaccount'), caPem: this.o.caPem, namespace, serviceAccount,
      pod: { name, uid }, expirationSeconds: firstMount?.expirationSeconds ?? 3607, onError: this.o.onError,
      ...(this.o.tokenRefreshMs === undefined ? {} : { refreshAfterMs: this.o.tokenRefreshMs }),
      ...(firstMount?.audiences === undefined ? {} : { audiences: firstMount.audiences }),
    });
    const runtime = new PodRuntime({
      pod: pod as JsonObject, podIP: attachment.podIP, hostIP, images: this.o.images, imageMapSource: this.o.imageMapSource,
      baseEnv: baseEnv(), clusterEnv: buildKubernetesServiceEnv(this.o.apiserverForPods.host, this.o.apiserverForPods.port),
      containerEnv: (c) => this.containerEnv(uid, pod, attachment.podIP, c),
      prepare: async (c) => {
        if (decideTokenMount(pod, c) !== undefined) await token.ensure();
      },
      wrapCommand: (argv, c) => {
        const mount = decideTokenMount(pod, c);
        return buildPodCommand({ netns: attachment.netns, argv, ...(mount === undefined ? {} : { tokenDir: token.dir, mountPath: mount.mountPath }) });
      },
      backoffMs: this.o.backoffMs,
      onChange: () => this.enqueueStatus(uid),
      onError: this.o.onError,
    });
    const w: PodWorker = { uid, namespace, name, runtime, token, terminating: false, grace: 0, lastStatus: '' };
    this.workers.set(uid, w);
    await this.writeStatus(uid);
    runtime.start();
  }

  private async containerEnv(uid: string, pod: Obj, podIP: string, container: JsonObject): Promise<EnvResult> {
    const namespace = String(meta(pod).namespace);
    const refs = referencedConfig(container);
    const configMaps = new Map<string, JsonObject>();
    const secrets = new Map<string, JsonObject>();
    try {
      for (const [names, kind, into] of [[refs.configMaps, 'configmaps', configMaps], [refs.secrets, 'secrets', secrets]] as const) {
        for (const n of names) {
          try {
            into.set(n, await this.o.client.request<JsonObject>('GET', `/api/v1/namespaces/${namespace}/${kind}/${n}`));
          } catch (err) {
            if (!isNotFound(err)) throw err;
          }
        }
      }
    } catch (err) {
      return { ok: false, message: err instanceof Error ? err.message : String(err) };
    }
    return buildContainerEnv(container, {
      pod: (this.latest.get(uid) ?? pod) as JsonObject, podIP, hostIP: this.o.network.network.hostIp,
      configMap: (n) => configMaps.get(n), secret: (n) => secrets.get(n),
    });
  }

  private enqueueStatus(uid: string): void {
    if (this.pendingStatus.has(uid) || this.stopped) return;
    this.pendingStatus.add(uid);
    this.enqueue(async () => {
      this.pendingStatus.delete(uid);
      await this.writeStatus(uid);
    });
  }

  private async writeStatus(uid: string): Promise<void> {
    const w = this.workers.get(uid);
    const pod = this.latest.get(uid);
    if (w === undefined || pod === undefined) return;
    const previous = (pod.status ?? {}) as Obj;
    const conditions = Array.isArray(previous.conditions) ? (previous.conditions as JsonObject[]) : [];
    const patch = buildStatusPatch(uid, w.runtime.status(conditions));
    const text = JSON.stringify(patch);
    if (text === w.lastStatus) return;
    try {
      const updated = await this.o.client.request('PATCH', `/api/v1/namespaces/${w.namespace}/pods/${w.name}/status`, patch, 'application/merge-patch+json');
      w.lastStatus = text;
      if (this.latest.has(uid) && String(meta(updated).uid) === uid) this.latest.set(uid, updated);
    } catch (err) {
      if (isTransient(err)) {
        this.later(() => this.enqueueStatus(uid));
        return;
      }
      if (!isGoneOrReplaced(err) && !(err instanceof ApiRequestError && err.code === 422)) throw err;
    }
  }

  /** Retries what failed while the API server was away (a restart, 429/5xx). */
  private later(f: () => void): void {
    const t = setTimeout(() => { if (!this.stopped) f(); }, 1000);
    t.unref();
  }

  private async teardown(w: PodWorker): Promise<void> {
    this.workers.delete(w.uid);
    await w.runtime.kill();
    this.o.network.detach(w.uid);
    await w.token.remove();
    await rm(join(this.o.stateDir, 'pods', w.uid), { recursive: true, force: true });
  }

  private async remove(namespace: string, name: string, uid: string): Promise<void> {
    try {
      await this.o.client.request('DELETE', `/api/v1/namespaces/${namespace}/pods/${name}`, {
        apiVersion: 'v1', kind: 'DeleteOptions', gracePeriodSeconds: 0, preconditions: { uid },
      });
    } catch (err) {
      if (isTransient(err)) {
        this.later(() => this.enqueue(() => this.remove(namespace, name, uid)));
        return;
      }
      if (!isGoneOrReplaced(err)) throw err;
    }
  }

  /** The logs of a container of a pod running here (for the node's /containerLogs endpoint). */
  findLogs(namespace: string, name: string, container: string): ContainerLogs | string {
    // A pod recreated under the same name may run while the old one still terminates: the newer one answers.
    const same = [...this.workers.values()].filter((x) => x.namespace === namespace && x.name === name);
    const w = same.find((x) => !x.terminating) ?? same[0];
    if (w === undefined) return `pod ${namespace}/${name} is not running on node ${this.o.nodeName}`;
    return w.runtime.container(container) ?? `container ${container} is not valid for pod ${name}`;
  }
}
