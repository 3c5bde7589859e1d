// The node agent (a small kubelet + scheduler): binds pods to the one node, gives each a loopback IP, runs its
// containers as local processes (PodRuntime), writes pod status, serves logs, and finishes graceful deletions.
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { randomInt } from 'node:crypto';
import { ApiError, badRequest } from '../api/status.ts';
import { metaOf } from '../api/object-meta.ts';
import { deepEqual, isJsonObject, toText } from '../patch/json-value.ts';
import type { StoreEvent } from '../store/store.ts';
import type { ApiService } from '../server/api-service.ts';
import type { UserInfo } from '../server/pipeline.ts';
import type { PodLogQuery } from '../server/http-server.ts';
import type { ResourceType } from '../resources/resource-type.ts';
import { buildKubeconfig } from '../kubeconfig.ts';
import { StoreController } from '../controllers/store-controller.ts';
import { buildContainerEnv } from './container-env.ts';
import type { ImageMap } from './image-map.ts';
import { IpAllocator } from './ip-allocator.ts';
import { PodRuntime } from './pod-runtime.ts';

export const NODE_NAME = 'local-node';

export interface NodeAgentOptions {
  service: ApiService;
  user: UserInfo;
  onError: (err: unknown) => void;
  images: ImageMap;
  /** Where the image map came from (named in ImageNotInMap messages). */
  imageMapSource: string;
  /** State directory: per-pod kubeconfigs are written under <dir>/pods/. */
  dir: string;
  server: string;
  caPem: string;
  issueToken(namespace: string, serviceAccount: string): string;
  backoffMs?: { base: number; max: number };
}

interface Running {
  runtime: PodRuntime;
  namespace: string;
  name: string;
  terminating: boolean;
  /** The grace period the termination runs with (a shorter one may arrive later). */
  grace: number;
  kubeconfigDir: string;
}

export class NodeAgent extends StoreController {
  private readonly o: NodeAgentOptions;
  private readonly ips = new IpAllocator('127.1.0.0/16', 1 + randomInt(65_000));
  private readonly pods = new Map<string, Running>();
  private readonly pendingStatus = new Set<string>();
  private readonly pendingSync = new Set<string>();
  private stopped = false;

  constructor(options: NodeAgentOptions) {
    super(options.service, options.user, options.onError);
    this.o = options;
  }

  private get podType(): ResourceType {
    return this.service.registry.find('', 'v1', 'pods')!;
  }

  /** If the cluster's process exits without stop(), its containers must not outlive it. */
  private readonly killOnExit = (): void => {
    for (const r of this.pods.values()) r.runtime.killNow();
  };

  protected override onStart(): void {
    process.on('exit', this.killOnExit);
    this.service.gracefulPodDeletion = true;
    for (const p of this.service.store.list('/pods')) this.enqueueSync(metaOf(p).namespace!, metaOf(p).name!);
  }

  protected onEvent(e: StoreEvent): void {
    if (e.storageKey !== '/pods' || this.stopped) return;
    const m = metaOf(e.object);
    if (e.type === 'DELETED') {
      const running = this.pods.get(m.uid!);
      if (running !== undefined) {
        this.pods.delete(m.uid!);
        this.ips.release(m.uid!);
        running.runtime.kill().then(() => rm(running.kubeconfigDir, { recursive: true, force: true })).catch(this.o.onError);
      }
      return;
    }
    this.enqueueSync(m.namespace!, m.name!);
  }

  /** Kills every process (cluster stop). */
  async shutdown(): Promise<void> {
    this.stopped = true;
    this.stop();
    process.off('exit', this.killOnExit);
    this.service.gracefulPodDeletion = false;
    const all = [...this.pods.values()];
    this.pods.clear();
    await Promise.all(all.map((r) => r.runtime.kill()));
  }

  private enqueueSync(namespace: string, name: string): void {
    const key = `${namespace}/${name}`;
    if (this.pendingSync.has(key)) return;
    this.pendingSync.add(key);
    this.queue.push(async () => {
      this.pendingSync.delete(key);
      await this.sync(namespace, name);
    });
  }

  private async sync(namespace: string, name: string): Promise<void> {
    if (this.stopped) return;
    const pod = this.service.store.get('/pods', namespace, name);
    if (pod === undefined) return;
    const m = metaOf(pod);
    const spec = isJsonObject(pod.spec) ? pod.spec : {};
    if (typeof spec.nodeName !== 'string' || spec.nodeName === '') {
      if (m.deletionTimestamp !== undefined) return;
      await this.ignoreGone(this.service.patch(this.podType, namespace, name, 'merge', { spec: { nodeName: NODE_NAME } }, undefined, { user: this.user, preAuthorized: true }));
      return;
    }
    if (spec.nodeName !== NODE_NAME) return;
    let running = this.pods.get(m.uid!);
    if (m.deletionTimestamp !== undefined) {
      if (running === undefined) {
        await this.remove(namespace, name, m.uid!);
      } else if (running.terminating) {
        const grace = m.deletionGracePeriodSeconds ?? 30;
        if (grace < running.grace) {
          running.grace = grace;
          running.runtime.shortenGrace(grace);
        }
      } else {
        running.terminating = true;
        running.grace = m.deletionGracePeriodSeconds ?? 30;
        const r = running;
        r.runtime.terminate(m.deletionGracePeriodSeconds ?? 30)
          .then(() => this.queue.push(() => this.remove(namespace, name, m.uid!)))
          .catch(this.o.onError);
      }
      return;
    }
    if (running !== undefined) return;
    const phase = isJsonObject(pod.status) ? pod.status.phase : undefined;
    if (phase === 'Succeeded' || phase === 'Failed') return;
    const uid = m.uid!;
    const podIP = this.ips.allocate(uid);
    const kubeconfigDir = join(this.o.dir, 'pods', `${namespace}_${name}_${uid}`);
    const serviceAccount = typeof spec.serviceAccountName === 'string' ? spec.serviceAccountName : 'default';
    const runtime = new PodRuntime({
      pod, podIP, images: this.o.images, imageMapSource: this.o.imageMapSource,
      baseEnv: baseEnv(), clusterEnv: clusterEnv(this.o.server),
      containerEnv: (c) => buildContainerEnv(c, {
        pod: this.service.store.get('/pods', namespace, name) ?? pod, podIP,
        configMap: (n) => this.service.store.get('/configmaps', namespace, n),
        secret: (n) => this.service.store.get('/secrets', namespace, n),
      }),
      kubeconfig: async () => {
        const token = this.o.issueToken(namespace, serviceAccount);
        await mkdir(kubeconfigDir, { recursive: true });
        const path = join(kubeconfigDir, 'kubeconfig');
        await writeFile(path, buildKubeconfig({ server: this.o.server, caPem: this.o.caPem, token, userName: `system:serviceaccount:${namespace}:${serviceAccount}`, namespace }), { mode: 0o600 });
        return path;
      },
      backoffMs: this.o.backoffMs ?? { base: 1000, max: 60_000 },
      onChange: () => this.enqueueStatus(namespace, name, uid),
      onError: this.o.onError,
    });
    running = { runtime, namespace, name, terminating: false, grace: 0, kubeconfigDir };
    this.pods.set(uid, running);
    await this.writeStatus(namespace, name, uid);
    runtime.start();
  }

  private enqueueStatus(namespace: string, name: string, uid: string): void {
    if (this.pendingStatus.has(uid) || this.stopped) return;
    this.pendingStatus.add(uid);
    this.queue.push(async () => {
      this.pendingStatus.delete(uid);
      await this.writeStatus(namespace, name, uid);
    });
  }

  private async writeStatus(namespace: string, name: string, uid: string): Promise<void> {
    const running = this.pods.get(uid);
    const pod = this.service.store.get('/pods', namespace, name);
    if (running === undefined || pod === undefined || metaOf(pod).uid !== uid) return;
    const previous = isJsonObject(pod.status) ? pod.status : {};
    const conditions = Array.isArray(previous.conditions) ? previous.conditions.filter(isJsonObject) : [];
    const status = running.runtime.status(conditions);
    if (deepEqual(previous, status)) return;
    await this.ignoreGone(this.service.update(this.podType, namespace, name, { ...pod, status }, 'status', { user: this.user, preAuthorized: true }));
  }

  private async remove(namespace: string, name: string, uid: string): Promise<void> {
    await this.ignoreGone(this.service.delete(this.podType, namespace, name, { user: this.user, preAuthorized: true, gracePeriodSeconds: 0, preconditions: { uid } }));
  }

  private async ignoreGone(p: Promise<unknown>): Promise<void> {
    try {
      await p;
    } catch (err) {
      if (err instanceof ApiError && (err.code === 404 || err.code === 409)) return;
      throw err;
    }
  }

  /** `GET …/pods/<name>/log` (kubectl logs): the container's current or previous output. */
  logs(namespace: string, name: string, q: PodLogQuery): string {
    const pod = this.service.get(this.podType, namespace, name);
    const running = this.pods.get(metaOf(pod).uid!);
    const spec = isJsonObject(pod.spec) ? pod.spec : {};
    const names = [...(Array.isArray(spec.initContainers) ? spec.initContainers : []), ...(Array.isArray(spec.containers) ? spec.containers : [])]
      .filter(isJsonObject).map((c) => toText(c.name));
    const mainNames = (Array.isArray(spec.containers) ? spec.containers : []).filter(isJsonObject).map((c) => toText(c.name));
    let container = q.container;
    if (container === undefined || container === '') {
      if (mainNames.length !== 1) throw badRequest(`a container name must be specified for pod ${name}, choose one of: [${mainNames.join(' ')}]`);
      container = mainNames[0]!;
    }
    if (!names.includes(container)) throw badRequest(`container ${container} is not valid for pod ${name}`);
    const c = running?.runtime.container(container);
    if (c === undefined || !c.everStarted) {
      throw badRequest(`container "${container}" in pod "${name}" is waiting to start: ${c?.waitingReason ?? 'ContainerCreating'}`);
    }
    const buffer = q.previous ? c.previousLogs : c.logs;
    if (buffer === undefined) throw badRequest(`previous terminated container "${container}" in pod "${name}" not found`);
    const options: { tailLines?: number; timestamps?: boolean } = { timestamps: q.timestamps };
    if (q.tailLines !== undefined && Number.isInteger(q.tailLines)) options.tailLines = q.tailLines;
    return buffer.read(options);
  }
}

function baseEnv(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of ['PATH', 'HOME', 'TMPDIR', 'LANG', 'TZ']) {
    const v = process.env[k];
    if (v !== undefined) out[k] = v;
  }
  return out;
}

function clusterEnv(server: string): Record<string, string> {
  const url = new URL(server);
  return {
    KUBERNETES_SERVICE_HOST: url.hostname, KUBERNETES_SERVICE_PORT: url.port, KUBERNETES_SERVICE_PORT_HTTPS: url.port,
    KUBERNETES_PORT: `tcp://${url.hostname}:${url.port}`,
  };
}
