// The copy of the Redis URL Secret that injected gateways read in their own namespace (--redis-secret-in-pods on):
// owned by every WebSocketGateway of that namespace, so the garbage collector removes it with the last one. Pure.
import { isJsonEqual } from '../kube/json.ts';
import type { KubeObject } from '../kube/objects.ts';
import { FIELD_MANAGER, GATEWAY_API_VERSION, GATEWAY_KIND } from '../naming.ts';
import { MANAGED_BY_LABEL } from './desired-objects.ts';

export interface RedisSecretSource {
  /** The Secret's name, in the operator's namespace and (as the copy) in every app namespace. */
  name: string;
  key: string;
  url: string;
}

// A type alias for the same reason.
export type SecretObject = {
  apiVersion: 'v1';
  kind: 'Secret';
  metadata: { name: string; namespace: string; labels: Record<string, string>; ownerReferences: OwnerReference[]; resourceVersion?: string };
  type: 'Opaque';
  data: Record<string, string>;
};

// A type alias, not an interface: it must fit KubeObject's loose (indexed) owner references.
type OwnerReference = { apiVersion: string; kind: string; name: string; uid: string };

/** The copy for one namespace; undefined when no gateway there needs it. Owners are sorted so equal sets compare equal. */
export function buildRedisSecretCopy(source: RedisSecretSource, namespace: string, gateways: readonly KubeObject[]): SecretObject | undefined {
  const owners = gateways
    .filter((gateway) => gateway.metadata.uid !== undefined && gateway.metadata.deletionTimestamp === undefined)
    .map((gateway) => ({ apiVersion: GATEWAY_API_VERSION, kind: GATEWAY_KIND, name: gateway.metadata.name, uid: gateway.metadata.uid! }))
    .sort((a, b) => a.uid.localeCompare(b.uid));
  if (owners.length === 0) return undefined;
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: source.name, namespace, labels: { [MANAGED_BY_LABEL]: FIELD_MANAGER }, ownerReferences: owners },
    type: 'Opaque',
    data: { [source.key]: Buffer.from(source.url, 'utf8').toString('base64') },
  };
}

/** Whether the Secret in the cluster already is the desired copy (extra labels or keys someone added are kept). */
export function isRedisSecretCopyCurrent(actual: KubeObject & { data?: Record<string, string> }, desired: SecretObject): boolean {
  const [key] = Object.keys(desired.data);
  const owners = [...(actual.metadata.ownerReferences ?? [])]
    .map(({ apiVersion, kind, name, uid }) => ({ apiVersion, kind, name, uid }))
    .sort((a, b) => a.uid.localeCompare(b.uid));
  return actual.data?.[key!] === desired.data[key!]
    && actual.metadata.labels?.[MANAGED_BY_LABEL] === FIELD_MANAGER
    && isJsonEqual(owners, desired.metadata.ownerReferences);
}

/** A Secret of that name that the operator did not make is never overwritten (it may be the admin's). */
export function isOurRedisSecretCopy(actual: KubeObject): boolean {
  return actual.metadata.labels?.[MANAGED_BY_LABEL] === FIELD_MANAGER;
}
