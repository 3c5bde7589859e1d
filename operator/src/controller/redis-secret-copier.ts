// Keeps the Redis URL Secret's copy in each app namespace (I/O): created when the namespace gets its first
// WebSocketGateway, its owners kept equal to that namespace's gateways, never touching a Secret the operator did not
// make. Remembers what it last confirmed, so reconciles that change nothing cost no API call.
import { isApiError, type ApiClient } from '../kube/api-client.ts';
import type { KubeObject } from '../kube/objects.ts';
import { buildRedisSecretCopy, isOurRedisSecretCopy, isRedisSecretCopyCurrent, type RedisSecretSource } from './redis-secret.ts';

export interface RedisSecretCopier {
  /** Ensures the copy in `namespace` given its gateways (the one just written first: the cache may lag). */
  ensure(namespace: string, gateways: readonly KubeObject[]): Promise<void>;
}

export function createRedisSecretCopier(options: {
  api: ApiClient;
  source: RedisSecretSource;
  /** The operator's namespace holds the original: never written. */
  operatorNamespace: string;
  log?: (entry: Record<string, unknown>) => void;
}): RedisSecretCopier {
  const { api, source } = options;
  const confirmed = new Map<string, string>();
  const path = (namespace: string, name?: string): string => `/api/v1/namespaces/${namespace}/secrets${name === undefined ? '' : `/${name}`}`;

  return {
    async ensure(namespace, gateways) {
      if (namespace === options.operatorNamespace) return;
      const unique = [...new Map(gateways.map((gateway) => [gateway.metadata.uid, gateway])).values()];
      const desired = buildRedisSecretCopy(source, namespace, unique);
      if (desired === undefined) return;
      const fingerprint = JSON.stringify(desired);
      if (confirmed.get(namespace) === fingerprint) return;
      let actual: (KubeObject & { data?: Record<string, string> }) | undefined;
      try {
        actual = await api.request<KubeObject & { data?: Record<string, string> }>({ method: 'GET', path: path(namespace, source.name) });
      } catch (error) {
        if (!isApiError(error, 404)) throw error;
      }
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
      confirmed.set(namespace, fingerprint);
    },
  };
}
