// Pure: the server-side printer columns of built-in types (what `kubectl get` shows for them).
import { isJsonObject, toText, type JsonObject, type JsonValue } from '../patch/json-value.ts';
import { readJsonPath } from './json-path.ts';

export interface ColumnSpec {
  name: string;
  type: string;
  format?: string;
  priority?: number;
  description?: string;
  /** A JSONPath (for printer columns) or a function of the object. */
  value: string | ((obj: JsonObject) => JsonValue);
}

const NAME: ColumnSpec = { name: 'Name', type: 'string', format: 'name', description: 'Name must be unique within a namespace.', value: '.metadata.name' };
const AGE: ColumnSpec = { name: 'Age', type: 'string', description: 'CreationTimestamp', value: '.metadata.creationTimestamp', format: 'age' };
const CREATED_AT: ColumnSpec = { name: 'Created At', type: 'date', description: 'CreationTimestamp', value: (o) => readJsonPath(o, '.metadata.creationTimestamp') ?? null };

const count = (path: string) => (obj: JsonObject): JsonValue => {
  const v = readJsonPath(obj, path);
  return isJsonObject(v) ? Object.keys(v).length : Array.isArray(v) ? v.length : 0;
};
const str = (path: string, fallback = '<none>') => (obj: JsonObject): JsonValue => {
  const v = readJsonPath(obj, path);
  return v === undefined || v === null || v === '' ? fallback : (typeof v === 'string' ? v : JSON.stringify(v));
};
const num = (path: string) => (obj: JsonObject): JsonValue => {
  const v = readJsonPath(obj, path);
  return typeof v === 'number' ? v : 0;
};

interface ContainerStatus { ready?: boolean; restartCount?: number; state?: { waiting?: { reason?: string }; terminated?: { reason?: string } } }

function podStatus(obj: JsonObject): JsonValue {
  if (readJsonPath(obj, '.metadata.deletionTimestamp') !== undefined) return 'Terminating';
  const statuses = (readJsonPath(obj, '.status.containerStatuses') ?? []) as ContainerStatus[];
  for (const s of statuses) {
    const reason = s.state?.waiting?.reason ?? s.state?.terminated?.reason;
    if (reason !== undefined) return reason;
  }
  return str('.status.phase', 'Unknown')(obj);
}

function servicePorts(obj: JsonObject): JsonValue {
  const ports = (readJsonPath(obj, '.spec.ports') ?? []) as { port?: number; protocol?: string; nodePort?: number }[];
  if (ports.length === 0) return '<none>';
  return ports.map((p) => `${p.port ?? ''}${p.nodePort !== undefined ? `:${p.nodePort}` : ''}/${p.protocol ?? 'TCP'}`).join(',');
}

function endpointsList(obj: JsonObject): JsonValue {
  const subsets = (readJsonPath(obj, '.subsets') ?? []) as { addresses?: { ip: string }[]; ports?: { port: number }[] }[];
  const out: string[] = [];
  for (const s of subsets) for (const a of s.addresses ?? []) for (const p of s.ports ?? [{ port: 0 }]) out.push(`${a.ip}:${p.port}`);
  return out.length === 0 ? '<none>' : out.join(',');
}

const COLUMNS: Record<string, ColumnSpec[]> = {
  namespaces: [NAME, { name: 'Status', type: 'string', value: str('.status.phase', '') }, AGE],
  pods: [
    NAME,
    { name: 'Ready', type: 'string', value: (o) => {
      const statuses = (readJsonPath(o, '.status.containerStatuses') ?? []) as ContainerStatus[];
      const total = ((readJsonPath(o, '.spec.containers') ?? []) as unknown[]).length;
      return `${statuses.filter((s) => s.ready === true).length}/${total}`;
    } },
    { name: 'Status', type: 'string', value: podStatus },
    { name: 'Restarts', type: 'string', value: (o) => String(((readJsonPath(o, '.status.containerStatuses') ?? []) as ContainerStatus[]).reduce((n, s) => n + (s.restartCount ?? 0), 0)) },
    AGE,
    { name: 'IP', type: 'string', priority: 1, value: str('.status.podIP') },
    { name: 'Node', type: 'string', priority: 1, value: str('.spec.nodeName') },
  ],
  configmaps: [NAME, { name: 'Data', type: 'integer', value: (o) => (count('.data')(o) as number) + (count('.binaryData')(o) as number) }, AGE],
  secrets: [NAME, { name: 'Type', type: 'string', value: str('.type', '') }, { name: 'Data', type: 'integer', value: count('.data') }, AGE],
  services: [
    NAME, { name: 'Type', type: 'string', value: str('.spec.type', '') }, { name: 'Cluster-IP', type: 'string', value: str('.spec.clusterIP') },
    { name: 'External-IP', type: 'string', value: (o) => str('.spec.externalIPs[0]')(o) }, { name: 'Port(s)', type: 'string', value: servicePorts }, AGE,
    { name: 'Selector', type: 'string', priority: 1, value: (o) => {
      const sel = readJsonPath(o, '.spec.selector');
      return isJsonObject(sel) ? Object.entries(sel).map(([k, v]) => `${k}=${toText(v)}`).join(',') : '<none>';
    } },
  ],
  endpoints: [NAME, { name: 'Endpoints', type: 'string', value: endpointsList }, AGE],
  serviceaccounts: [NAME, { name: 'Secrets', type: 'integer', value: count('.secrets') }, AGE],
  deployments: [
    NAME, { name: 'Ready', type: 'string', value: (o) => `${num('.status.readyReplicas')(o) as number}/${num('.spec.replicas')(o) as number}` },
    { name: 'Up-to-date', type: 'integer', value: num('.status.updatedReplicas') }, { name: 'Available', type: 'integer', value: num('.status.availableReplicas') }, AGE,
  ],
  replicasets: [
    NAME, { name: 'Desired', type: 'integer', value: num('.spec.replicas') }, { name: 'Current', type: 'integer', value: num('.status.replicas') },
    { name: 'Ready', type: 'integer', value: num('.status.readyReplicas') }, AGE,
  ],
  leases: [NAME, { name: 'Holder', type: 'string', value: str('.spec.holderIdentity', '') }, AGE],
  events: [
    { name: 'Last Seen', type: 'string', value: (o) => (readJsonPath(o, '.lastTimestamp') ?? readJsonPath(o, '.eventTime') ?? readJsonPath(o, '.metadata.creationTimestamp') ?? null), format: 'age' },
    { name: 'Type', type: 'string', value: str('.type', '') }, { name: 'Reason', type: 'string', value: str('.reason', '') },
    { name: 'Object', type: 'string', value: (o) => `${toText(readJsonPath(o, '.involvedObject.kind')).toLowerCase()}/${toText(readJsonPath(o, '.involvedObject.name'))}` },
    { name: 'Message', type: 'string', value: str('.message', '') },
  ],
  mutatingwebhookconfigurations: [NAME, { name: 'Webhooks', type: 'integer', value: count('.webhooks') }, AGE],
  validatingwebhookconfigurations: [NAME, { name: 'Webhooks', type: 'integer', value: count('.webhooks') }, AGE],
  rolebindings: [NAME, { name: 'Role', type: 'string', value: (o) => `${toText(readJsonPath(o, '.roleRef.kind'))}/${toText(readJsonPath(o, '.roleRef.name'))}` }, AGE],
  clusterrolebindings: [NAME, { name: 'Role', type: 'string', value: (o) => `${toText(readJsonPath(o, '.roleRef.kind'))}/${toText(readJsonPath(o, '.roleRef.name'))}` }, AGE],
};

export function builtinColumns(resource: string): ColumnSpec[] {
  return COLUMNS[resource] ?? [NAME, CREATED_AT];
}
