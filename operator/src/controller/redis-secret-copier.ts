// Keeps the Redis URL Secret's copy in each app namespace (I/O): created when the namespace gets its first
// WebSocketGateway, its owners kept equal to that namespace's gateways, never touching a Secret the operator did not
// make. Remembers what it last confirmed for a minute, so frequent reconciles cost no API call while a copy someone
// deleted is still recreated soon (pods of that namespace need it to start).
import { getIfExists, type ApiClient } from '../kube/api-client.ts';
import type { KubeObject } from '../kube/objects.ts';
import { buildRedisSecretCopy, isOurRedisSecretCopy, isRedisSecretCopyCurrent, type RedisSecretSource } from './redis-secret.ts';

export interface RedisSecretCopier {
  /** Ensures the copy in `namespace` given its gateways (the one just written first: the cache may lag). */
  ensure(namespace: string, gateways: readonly KubeObject[]): Promise<void>;
}

/** How long a confirmed copy is trusted without reading it again. */
export const CONFIRMED_FOR_MS = 60_000;

export function createRedisSecretCopier(options: {
  api: ApiClient;
  now?: () => number;
  source: RedisSecretSource;
  /** The operator's namespace holds the original: never written. */
  operatorNamespace: string;
  log?: (entry: Record<string, unknown>) => void;
}): RedisSecretCopier {
  const { api, source } = options;
  const now = options.now ?? Date.now;
  const confirmed = new Map<string, { fingerprint: string; at: number }>();
  const path = (namespace: string, name?: string): string => `/api/v1/namespaces/${namespace}/secrets${name === undefined ? '' : `/${name}`}`;

  return {
    async ensure(namespace, gateways) {
      if (namespace === options.operatorNamespace) return;
      const unique = [...new Map(gateways.map((gateway) => [gateway.metadata.uid, gateway])).values()];
      const desired = buildRedisSecretCopy(source, namespace, unique);
      if (desired === undefined) return;
      const fingerprint = JSON.stringify(desired);
      const last = confirmed.get(namespace);
      if (last !== undefined && last.fingerprint === fingerprint && now() - last.at < CONFIRMED_FOR_MS) return;
      const actual = await getIfExists<KubeObject & { data?: Record<string, string> }>(api, path(namespace, source.name));
      if (actual === undefined) {
        await api.request({ method: 'POST', path: path(namespace), body: desired });
        options.log?.({ level: 'info', msg: 'Redis Secret copied', namespace, secret: source.name });
      } else if (!isOurRedisSecretCopy(actual)) {
        // The admin's own Secret of that name: the pods use it as it is.
      } else if (!isRedisSecretCopyCurrent(actual, desired)) {
        await api.request({
          method: 'PUT', path: path(namespace, source.name),
          body: { ...actual, metadata: { ...actual.metadata, labels: { ...actual.metadata.labels, ...desired.metadata.labels }, ownerReferences: desired.metadata.ownerReferences }, data: { ...actual.data, ...desired.data } },
        });
      }
      confirmed.set(namespace, { fingerprint, at: now() });
    },
  };
}
