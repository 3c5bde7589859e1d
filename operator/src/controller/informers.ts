// The controller's informers (Deployments, opted-in Pods, ConfigMaps, WebSocketGateways, Services, and with the per-app
// policy on, the NetworkPolicies the operator made) and the routing
// of their events to Deployment keys (I/O). Events only enqueue keys; reconcilers read the caches. Cluster-wide by
// default; with a list of namespaces, one informer per namespace and kind on the namespaced paths (Roles suffice).
import type { ApiClient } from '../kube/api-client.ts';
import type { Deployment, KubeObject } from '../kube/objects.ts';
import type { OpenWatch } from '../kube/watch-stream.ts';
import { API_GROUP, API_VERSION, FIELD_MANAGER, GATEWAY_PLURAL, MANIFEST_LABEL } from '../naming.ts';
import { keysForEvent, parseDeployments, type WatchedKind } from './event-keys.ts';
import { Informer, type InformerOptions } from './informer.ts';

/** What the controller reads and runs of one kind's informer (a single one, or one per watched namespace). */
export interface KindInformer {
  readonly name: string;
  readonly hasSynced: boolean;
  readonly stats: Informer['stats'];
  get(namespace: string | undefined, name: string): KubeObject | undefined;
  list(namespace?: string): KubeObject[];
  start(): void;
  stop(): Promise<void>;
  waitForSync(timeoutMs: number): Promise<void>;
}

export interface Informers {
  deployments: KindInformer;
  pods: KindInformer;
  configMaps: KindInformer;
  gateways: KindInformer;
  services: KindInformer;
  /** Only with the per-app NetworkPolicy on (--gateway-network-policy): the policies labelled as ours. */
  networkPolicies: KindInformer | undefined;
  /** Cached Deployments of a namespace, parsed. */
  deploymentsIn(namespace: string): Deployment[];
  all(): KindInformer[];
  start(): void;
  waitForSync(timeoutMs: number): Promise<void>;
  hasSynced(): boolean;
  stop(): Promise<void>;
}

export interface InformersOptions {
  api: ApiClient;
  /** Opens watch streams (the API client's `watch`). */
  watch: OpenWatch;
  /** `all` (cluster-wide paths) or the namespaces to watch. */
  namespaces?: 'all' | readonly string[];
  /** Called with the Deployment key for every event related to it. */
  enqueue: (key: string) => void;
  onError?: (informer: string, error: Error) => void;
  /** Watch the NetworkPolicies labelled app.kubernetes.io/managed-by=tapr-ws-operator (default false). */
  networkPolicies?: boolean;
  backoff?: InformerOptions['backoff'];
  watchTimeoutSeconds?: InformerOptions['watchTimeoutSeconds'];
}

/** API prefix and resource of each kind: cluster-wide `<prefix>/<resource>`, namespaced `<prefix>/namespaces/<ns>/<resource>`. */
export const WATCHED_RESOURCES: Record<WatchedKind, { prefix: string; resource: string; labelSelector?: string }> = {
  Deployment: { prefix: '/apis/apps/v1', resource: 'deployments' },
  Pod: { prefix: '/api/v1', resource: 'pods', labelSelector: MANIFEST_LABEL },
  ConfigMap: { prefix: '/api/v1', resource: 'configmaps' },
  WebSocketGateway: { prefix: `/apis/${API_GROUP}/${API_VERSION}`, resource: GATEWAY_PLURAL },
  Service: { prefix: '/api/v1', resource: 'services' },
  NetworkPolicy: { prefix: '/apis/networking.k8s.io/v1', resource: 'networkpolicies', labelSelector: `app.kubernetes.io/managed-by=${FIELD_MANAGER}` },
};

export function watchedPath(kind: WatchedKind, namespace?: string): string {
  const { prefix, resource } = WATCHED_RESOURCES[kind];
  return namespace === undefined ? `${prefix}/${resource}` : `${prefix}/namespaces/${namespace}/${resource}`;
}

export function createInformers(options: InformersOptions): Informers {
  const deploymentsIn = (namespace: string): Deployment[] => parseDeployments(informers.deployments.list(namespace));
  const namespaces = options.namespaces ?? 'all';
  const informerFor = (kind: WatchedKind, namespace?: string): Informer => new Informer({
    name: namespace === undefined ? kind : `${kind} in ${namespace}`,
    api: options.api,
    watch: options.watch,
    path: watchedPath(kind, namespace),
    ...(WATCHED_RESOURCES[kind].labelSelector === undefined ? {} : { labelSelector: WATCHED_RESOURCES[kind].labelSelector }),
    ...(options.backoff === undefined ? {} : { backoff: options.backoff }),
    ...(options.watchTimeoutSeconds === undefined ? {} : { watchTimeoutSeconds: options.watchTimeoutSeconds }),
    onEvent: (event) => {
      const objects = event.previous === undefined ? [event.object] : [event.previous, event.object];
      for (const key of keysForEvent(kind, objects, deploymentsIn)) options.enqueue(key);
    },
    onError: (error) => options.onError?.(kind, error),
  });
  const make = (kind: WatchedKind): KindInformer => (namespaces === 'all'
    ? informerFor(kind)
    : new NamespacedInformers(kind, new Map(namespaces.map((namespace) => [namespace, informerFor(kind, namespace)]))));
  const informers = {
    deployments: make('Deployment'),
    pods: make('Pod'),
    configMaps: make('ConfigMap'),
    gateways: make('WebSocketGateway'),
    services: make('Service'),
  };
  const networkPolicies = options.networkPolicies === true ? make('NetworkPolicy') : undefined;
  const all = (): KindInformer[] => [...Object.values(informers), ...(networkPolicies === undefined ? [] : [networkPolicies])];
  return {
    ...informers,
    networkPolicies,
    deploymentsIn,
    all,
    start: () => { for (const informer of all()) informer.start(); },
    waitForSync: async (timeoutMs) => { await Promise.all(all().map((informer) => informer.waitForSync(timeoutMs))); },
    hasSynced: () => all().every((informer) => informer.hasSynced),
    stop: async () => { await Promise.all(all().map((informer) => informer.stop())); },
  };
}

/** One kind watched in several namespaces: reads go to that namespace's informer; objects elsewhere do not exist. */
class NamespacedInformers implements KindInformer {
  readonly name: string;
  private readonly byNamespace: ReadonlyMap<string, Informer>;

  constructor(name: string, byNamespace: ReadonlyMap<string, Informer>) {
    this.name = name;
    this.byNamespace = byNamespace;
  }

  get hasSynced(): boolean {
    return [...this.byNamespace.values()].every((informer) => informer.hasSynced);
  }

  get stats(): Informer['stats'] {
    const total = { lists: 0, watches: 0, expired: 0, failures: 0 };
    for (const { stats } of this.byNamespace.values()) {
      total.lists += stats.lists;
      total.watches += stats.watches;
      total.expired += stats.expired;
      total.failures += stats.failures;
    }
    return total;
  }

  get(namespace: string | undefined, name: string): KubeObject | undefined {
    return namespace === undefined ? undefined : this.byNamespace.get(namespace)?.get(namespace, name);
  }

  list(namespace?: string): KubeObject[] {
    if (namespace !== undefined) return this.byNamespace.get(namespace)?.list() ?? [];
    return [...this.byNamespace.values()].flatMap((informer) => informer.list());
  }

  start(): void {
    for (const informer of this.byNamespace.values()) informer.start();
  }

  async stop(): Promise<void> {
    await Promise.all([...this.byNamespace.values()].map((informer) => informer.stop()));
  }

  async waitForSync(timeoutMs: number): Promise<void> {
    await Promise.all([...this.byNamespace.values()].map((informer) => informer.waitForSync(timeoutMs)));
  }
}
