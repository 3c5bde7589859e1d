// What the full-stack demo puts on the local cluster (namespaces, Secrets, the manifest ConfigMap, the chat
// Deployment), which gateways the login proxy may use, and the `kubectl get wsgw -A` text. Pure.
import type { GatewayAddress } from './dev-proxy.ts';

export const DEMO_NAMESPACE = 'chat-demo';
export const OPERATOR_NAMESPACE = 'tapr-system';
export const DEPLOYMENT = 'chat';
export const MANIFEST_CONFIGMAP = 'chat-manifest';
/** The Redis URL for the operator (in its namespace; `--redis-secret`) and for the chat app (in the app's namespace). */
export const REDIS_SECRET = 'chat-redis';
/** An image name the demo's image map runs as `node examples/chat/app.ts`; there is no real image. */
export const APP_IMAGE = 'tapr-ws/chat-example:dev';
export const APP_PORT = 8888;
export const CALLBACK_PATH = '/ws/message';
/** SPEC B3: the injected gateway's port (clients, control API, /stats). */
export const GATEWAY_PORT = 40010;

type Json = Record<string, unknown>;

export function buildNamespace(name: string): Json {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name } };
}

export function buildRedisSecret(namespace: string, url: string): Json {
  return {
    apiVersion: 'v1', kind: 'Secret', metadata: { name: REDIS_SECRET, namespace }, type: 'Opaque',
    data: { url: Buffer.from(url).toString('base64') },
  };
}

/** The app's OlaresManifest.yaml: only `options.websocket` matters to the operator (SPEC B1). */
export function buildManifestText(port: number, url: string): string {
  return [
    'olaresManifest.version: "0.8.0"',
    'metadata:',
    '  name: chat',
    '  title: Chat example',
    'options:',
    '  websocket:',
    `    url: ${url}`,
    `    port: ${port}`,
    '',
  ].join('\n');
}

export function buildManifestConfigMap(namespace: string): Json {
  return {
    apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: MANIFEST_CONFIGMAP, namespace },
    data: { 'OlaresManifest.yaml': buildManifestText(APP_PORT, CALLBACK_PATH) },
  };
}

/**
 * The chat Deployment as an app author would write it: the pod template carries `tapr.io/manifest` (SPEC B1), so the
 * operator's webhook injects the gateway into each pod. With Redis, the app reads its URL from the Secret.
 */
export function buildChatDeployment(namespace: string, replicas: number, withRedis: boolean): Json {
  const labels = { app: DEPLOYMENT };
  const env: Json[] = withRedis
    ? [
      { name: 'CHAT_REDIS_URL', valueFrom: { secretKeyRef: { name: REDIS_SECRET, key: 'url' } } },
      { name: 'CHAT_REDIS_CHANNEL', value: `chat-example:${namespace}:${DEPLOYMENT}` },
    ]
    : [];
  return {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: DEPLOYMENT, namespace, labels },
    spec: {
      replicas,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels: { ...labels, 'tapr.io/manifest': MANIFEST_CONFIGMAP } },
        spec: {
          terminationGracePeriodSeconds: 10,
          containers: [{
            name: 'chat',
            image: APP_IMAGE,
            ports: [{ name: 'callbacks', containerPort: APP_PORT }],
            // Like an Olares app it listens on 127.0.0.1 (only its own pod reaches it), so no probe from the kubelet
            // can: the pod is ready when its gateway is, and the gateway retries callbacks while the app starts.
            env: [{ name: 'APP_PORT', value: String(APP_PORT) }, { name: 'WS_URL', value: CALLBACK_PATH }, ...env],
          }],
        },
      },
    },
  };
}

interface EndpointsLike {
  subsets?: { addresses?: { ip?: string; targetRef?: { name?: string } }[]; ports?: { port?: number }[] }[];
}

/** The ready gateways behind the operator's `<deployment>-ws` Service, ordered by pod name. */
export function readyGateways(endpoints: EndpointsLike | undefined): (GatewayAddress & { pod: string })[] {
  const found: (GatewayAddress & { pod: string })[] = [];
  for (const subset of endpoints?.subsets ?? []) {
    const port = subset.ports?.[0]?.port ?? GATEWAY_PORT;
    for (const address of subset.addresses ?? []) {
      if (address.ip !== undefined) found.push({ host: address.ip, port, pod: address.targetRef?.name ?? address.ip });
    }
  }
  return found.sort((a, b) => (a.pod < b.pod ? -1 : a.pod > b.pod ? 1 : 0));
}

/**
 * Which gateway a new connection uses. With the Redis backplane every replica reaches every user, so connections
 * take turns (two tabs land on two pods). Without it a user on another pod would not see the chat: all go to one.
 */
export function chooseGateway<T>(gateways: readonly T[], shared: boolean, turn: number): T | undefined {
  if (gateways.length === 0) return undefined;
  return shared ? gateways[turn % gateways.length] : gateways[0];
}

interface TableLike {
  columnDefinitions?: { name?: string; type?: string; priority?: number }[];
  rows?: { cells?: unknown[]; object?: { metadata?: { namespace?: string } } }[];
}

/** A meta.k8s.io Table as `kubectl get -A` prints it: NAMESPACE first, upper-case headers, priority-0 columns. */
export function renderTable(table: TableLike): string {
  const columns = (table.columnDefinitions ?? []).map((c, index) => ({ name: String(c.name ?? ''), index, priority: c.priority ?? 0 }))
    .filter((c) => c.priority === 0);
  const rows = table.rows ?? [];
  if (rows.length === 0) return 'No resources found';
  const lines = [['NAMESPACE', ...columns.map((c) => c.name.toUpperCase())]];
  for (const row of rows) {
    const cells = row.cells ?? [];
    lines.push([row.object?.metadata?.namespace ?? '', ...columns.map((c) => formatCell(cells[c.index]))]);
  }
  const widths = lines[0]!.map((_, i) => Math.max(...lines.map((line) => line[i]!.length)));
  return lines.map((line) => line.map((cell, i) => (i === line.length - 1 ? cell : cell.padEnd(widths[i]! + 3))).join('').trimEnd()).join('\n');
}

function formatCell(value: unknown): string {
  if (value === null || value === undefined) return '<none>';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** What a change of the table means to the reader: every cell except the `date` ones (Age ticks on by itself). */
export function tableChangeKey(table: TableLike): string {
  const dates = new Set((table.columnDefinitions ?? []).flatMap((c, index) => (c.type === 'date' ? [index] : [])));
  return JSON.stringify((table.rows ?? []).map((row) => [row.object?.metadata?.namespace, (row.cells ?? []).filter((_, i) => !dates.has(i))]));
}
