// Pure: the Node object, its status heartbeat and its Lease as a kubelet writes them, and the small decisions about
// pods a kubelet makes (which token volume a container mounts, what its config references, the service env).

export const KUBELET_VERSION = 'v1.37.2';
export const NODE_LEASE_NAMESPACE = 'kube-node-lease';
export const LEASE_DURATION_SECONDS = 40;
export const SERVICE_ACCOUNT_MOUNT_PATH = '/var/run/secrets/kubernetes.io/serviceaccount';

type Obj = Record<string, unknown>;

export interface NodeFacts {
  name: string;
  hostIp: string;
  kubeletPort: number;
  cpu: number;
  memoryBytes: number;
  maxPods: number;
  kernelVersion: string;
  osImage: string;
  architecture: string;
  machineId: string;
  bootId: string;
}

/** `2026-12-02T04:30:00.123456Z` (metav1.MicroTime). */
export function formatMicroTime(d: Date): string {
  return d.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

export function formatTime(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function goArch(arch: string): string {
  return ({ x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386', ppc64: 'ppc64le', s390x: 's390x' } as Record<string, string>)[arch] ?? arch;
}

export function buildNodeConditions(now: string, since: string): Obj[] {
  const c = (type: string, status: string, reason: string, message: string): Obj => ({
    type, status, reason, message, lastHeartbeatTime: now, lastTransitionTime: since,
  });
  return [
    c('MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'),
    c('DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'),
    c('PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'),
    c('Ready', 'True', 'KubeletReady', 'kubelet is posting ready status'),
  ];
}

export function buildNodeStatus(f: NodeFacts, now: string, since: string): Obj {
  const resources = { cpu: String(f.cpu), memory: `${Math.floor(f.memoryBytes / 1024)}Ki`, pods: String(f.maxPods), 'ephemeral-storage': '10Gi' };
  return {
    capacity: resources,
    allocatable: resources,
    conditions: buildNodeConditions(now, since),
    addresses: [{ type: 'InternalIP', address: f.hostIp }, { type: 'Hostname', address: f.name }],
    daemonEndpoints: { kubeletEndpoint: { Port: f.kubeletPort } },
    nodeInfo: {
      machineID: f.machineId, systemUUID: f.machineId, bootID: f.bootId, kernelVersion: f.kernelVersion, osImage: f.osImage,
      containerRuntimeVersion: 'tapr-local://1.0.0', kubeletVersion: KUBELET_VERSION, operatingSystem: 'linux',
      architecture: goArch(f.architecture),
    },
  };
}

export function buildNode(f: NodeFacts, now: string): Obj {
  return {
    apiVersion: 'v1', kind: 'Node',
    metadata: {
      name: f.name,
      labels: {
        'kubernetes.io/hostname': f.name, 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': goArch(f.architecture),
        'beta.kubernetes.io/os': 'linux', 'beta.kubernetes.io/arch': goArch(f.architecture),
      },
      annotations: { 'node.alpha.kubernetes.io/ttl': '0' },
    },
    spec: {},
    status: buildNodeStatus(f, now, now),
  };
}

export function buildLease(o: { nodeName: string; nodeUid: string; renewTime: string }): Obj {
  return {
    apiVersion: 'coordination.k8s.io/v1', kind: 'Lease',
    metadata: {
      name: o.nodeName, namespace: NODE_LEASE_NAMESPACE,
      ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: o.nodeName, uid: o.nodeUid }],
    },
    spec: { holderIdentity: o.nodeName, leaseDurationSeconds: LEASE_DURATION_SECONDS, renewTime: o.renewTime },
  };
}

function objects(v: unknown): Obj[] {
  return Array.isArray(v) ? v.filter((x): x is Obj => typeof x === 'object' && x !== null && !Array.isArray(x)) : [];
}

function obj(v: unknown): Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : {};
}

/** The ServiceAccount token a container mounts (the projected volume the ServiceAccount admission plugin adds). */
export function decideTokenMount(pod: Obj, container: Obj): { mountPath: string; expirationSeconds: number; audiences?: string[] } | undefined {
  const volumes = objects(obj(pod.spec).volumes);
  for (const m of objects(container.volumeMounts)) {
    const volume = volumes.find((v) => v.name === m.name);
    const sources = objects(obj(volume?.projected).sources);
    const token = sources.map((s) => obj(s.serviceAccountToken)).find((t) => Object.keys(t).length > 0);
    if (token === undefined || m.mountPath !== SERVICE_ACCOUNT_MOUNT_PATH) continue;
    const out: { mountPath: string; expirationSeconds: number; audiences?: string[] } = {
      mountPath: SERVICE_ACCOUNT_MOUNT_PATH, expirationSeconds: typeof token.expirationSeconds === 'number' ? token.expirationSeconds : 3607,
    };
    if (typeof token.audience === 'string' && token.audience !== '') out.audiences = [token.audience];
    return out;
  }
  return undefined;
}

/** When a token is refreshed: at 80% of its lifetime (as the kubelet), or after 24 h for very long ones. */
export function decideTokenRefreshMs(issuedAt: number, expiresAt: number): number {
  const lifetime = expiresAt - issuedAt;
  return Math.max(1000, Math.min(lifetime * 0.8, 24 * 3600 * 1000));
}

/** The ConfigMaps and Secrets a container's env and envFrom reference (to fetch before building its env). */
export function referencedConfig(container: Obj): { configMaps: string[]; secrets: string[] } {
  const configMaps = new Set<string>();
  const secrets = new Set<string>();
  for (const from of objects(container.envFrom)) {
    if (typeof obj(from.configMapRef).name === 'string') configMaps.add(obj(from.configMapRef).name as string);
    if (typeof obj(from.secretRef).name === 'string') secrets.add(obj(from.secretRef).name as string);
  }
  for (const e of objects(container.env)) {
    const v = obj(e.valueFrom);
    if (typeof obj(v.configMapKeyRef).name === 'string') configMaps.add(obj(v.configMapKeyRef).name as string);
    if (typeof obj(v.secretKeyRef).name === 'string') secrets.add(obj(v.secretKeyRef).name as string);
  }
  return { configMaps: [...configMaps], secrets: [...secrets] };
}

/** The `kubernetes` Service's variables as a pod sees them (here the forwarder on the host's bridge address). */
export function buildKubernetesServiceEnv(host: string, port: number): Record<string, string> {
  return {
    KUBERNETES_SERVICE_HOST: host, KUBERNETES_SERVICE_PORT: String(port), KUBERNETES_SERVICE_PORT_HTTPS: String(port),
    KUBERNETES_PORT: `tcp://${host}:${port}`, [`KUBERNETES_PORT_${port}_TCP`]: `tcp://${host}:${port}`,
    [`KUBERNETES_PORT_${port}_TCP_PROTO`]: 'tcp', [`KUBERNETES_PORT_${port}_TCP_PORT`]: String(port), [`KUBERNETES_PORT_${port}_TCP_ADDR`]: host,
  };
}

/** The pod status to write: the runtime's, without what a kubelet never writes (qosClass is set once by the apiserver). */
export function buildStatusPatch(uid: string, status: Obj): Obj {
  const { qosClass: _ignored, ...rest } = status;
  return { metadata: { uid }, status: rest };
}

/** `?tailLines=&previous=&timestamps=&follow=&limitBytes=&sinceTime=&sinceSeconds=` of `/containerLogs`. */
export interface LogQuery {
  tailLines?: number;
  previous: boolean;
  timestamps: boolean;
  follow: boolean;
  limitBytes?: number;
  /** ISO time: from sinceTime, or now − sinceSeconds. */
  since?: string;
}

export function parseLogQuery(search: URLSearchParams, now: Date): LogQuery {
  const out: LogQuery = {
    previous: search.get('previous') === 'true', timestamps: search.get('timestamps') === 'true', follow: search.get('follow') === 'true',
  };
  const tail = search.get('tailLines');
  if (tail !== null && /^\d+$/.test(tail)) out.tailLines = Number(tail);
  const sinceTime = search.get('sinceTime');
  const sinceSeconds = search.get('sinceSeconds');
  if (sinceTime !== null && !Number.isNaN(Date.parse(sinceTime))) out.since = new Date(Date.parse(sinceTime)).toISOString();
  else if (sinceSeconds !== null && /^\d+$/.test(sinceSeconds)) out.since = new Date(now.getTime() - Number(sinceSeconds) * 1000).toISOString();
  const limit = search.get('limitBytes');
  if (limit !== null && /^\d+$/.test(limit)) out.limitBytes = Number(limit);
  return out;
}
