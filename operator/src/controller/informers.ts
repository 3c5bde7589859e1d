// The controller's five informers (Deployments, opted-in Pods, ConfigMaps, WebSocketGateways, Services) and the routing
// of their events to Deployment keys (I/O). Events only enqueue keys; reconcilers read the caches.
import type { Watch } from '@kubernetes/client-node';
import type { ApiClient } from '../kube/api-client.ts';
import type { Deployment } from '../kube/objects.ts';
import { API_GROUP, API_VERSION, GATEWAY_PLURAL, MANIFEST_LABEL } from '../naming.ts';
import { keysForEvent, parseDeployments, type WatchedKind } from './event-keys.ts';
import { Informer, type InformerOptions } from './informer.ts';

export interface Informers {
  deployments: Informer;
  pods: Informer;
  configMaps: Informer;
  gateways: Informer;
  services: Informer;
  /** Cached Deployments of a namespace, parsed. */
  deploymentsIn(namespace: string): Deployment[];
  all(): Informer[];
  start(): void;
  waitForSync(timeoutMs: number): Promise<void>;
  hasSynced(): boolean;
  stop(): Promise<void>;
}

export interface InformersOptions {
  api: ApiClient;
  watch: Watch;
  /** Called with the Deployment key for every event related to it. */
  enqueue: (key: string) => void;
  onError?: (informer: string, error: Error) => void;
  backoff?: InformerOptions['backoff'];
  watchTimeoutSeconds?: InformerOptions['watchTimeoutSeconds'];
}

export const WATCHED_PATHS: Record<WatchedKind, { path: string; labelSelector?: string }> = {
  Deployment: { path: '/apis/apps/v1/deployments' },
  Pod: { path: '/api/v1/pods', labelSelector: MANIFEST_LABEL },
  ConfigMap: { path: '/api/v1/configmaps' },
  WebSocketGateway: { path: `/apis/${API_GROUP}/${API_VERSION}/${GATEWAY_PLURAL}` },
  Service: { path: '/api/v1/services' },
};

export function createInformers(options: InformersOptions): Informers {
  const deploymentsIn = (namespace: string): Deployment[] => parseDeployments(informers.deployments.list(namespace));
  const make = (kind: WatchedKind): Informer => new Informer({
    name: kind,
    api: options.api,
    watch: options.watch,
    ...WATCHED_PATHS[kind],
    ...(options.backoff === undefined ? {} : { backoff: options.backoff }),
    ...(options.watchTimeoutSeconds === undefined ? {} : { watchTimeoutSeconds: options.watchTimeoutSeconds }),
    onEvent: (event) => {
      const objects = event.previous === undefined ? [event.object] : [event.previous, event.object];
      for (const key of keysForEvent(kind, objects, deploymentsIn)) options.enqueue(key);
    },
    onError: (error) => options.onError?.(kind, error),
  });
  const informers = {
    deployments: make('Deployment'),
    pods: make('Pod'),
    configMaps: make('ConfigMap'),
    gateways: make('WebSocketGateway'),
    services: make('Service'),
  };
  const all = (): Informer[] => Object.values(informers);
  return {
    ...informers,
    deploymentsIn,
    all,
    start: () => { for (const informer of all()) informer.start(); },
    waitForSync: async (timeoutMs) => { await Promise.all(all().map((informer) => informer.waitForSync(timeoutMs))); },
    hasSynced: () => all().every((informer) => informer.hasSynced),
    stop: async () => { await Promise.all(all().map((informer) => informer.stop())); },
  };
}
