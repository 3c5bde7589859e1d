// Pure: which lists of built-in types merge by key under a strategic merge patch (their patchMergeKey tags).

export type ListStrategy = { kind: 'merge-key'; key: string } | { kind: 'merge-primitive' } | { kind: 'replace' };

const CONTAINER_LISTS = new Set(['containers', 'initContainers', 'ephemeralContainers']);

const BY_FIELD: Record<string, ListStrategy> = {
  containers: { kind: 'merge-key', key: 'name' },
  initContainers: { kind: 'merge-key', key: 'name' },
  ephemeralContainers: { kind: 'merge-key', key: 'name' },
  volumes: { kind: 'merge-key', key: 'name' },
  env: { kind: 'merge-key', key: 'name' },
  volumeMounts: { kind: 'merge-key', key: 'mountPath' },
  volumeDevices: { kind: 'merge-key', key: 'devicePath' },
  imagePullSecrets: { kind: 'merge-key', key: 'name' },
  hostAliases: { kind: 'merge-key', key: 'ip' },
  conditions: { kind: 'merge-key', key: 'type' },
  ownerReferences: { kind: 'merge-key', key: 'uid' },
  finalizers: { kind: 'merge-primitive' },
  topologySpreadConstraints: { kind: 'merge-key', key: 'topologyKey' },
  resourceClaims: { kind: 'merge-key', key: 'name' },
  schedulingGates: { kind: 'merge-key', key: 'name' },
};

/**
 * The strategy for the list at `path` (field names only, no indices), e.g.
 * ['spec', 'template', 'spec', 'containers', 'ports'] → merge by containerPort.
 */
export function listStrategyFor(path: readonly string[]): ListStrategy {
  const field = path[path.length - 1] ?? '';
  const parent = path[path.length - 2] ?? '';
  if (field === 'ports') {
    return CONTAINER_LISTS.has(parent) ? { kind: 'merge-key', key: 'containerPort' } : { kind: 'merge-key', key: 'port' };
  }
  if (field === 'finalizers' && parent !== 'metadata') return { kind: 'replace' };
  return BY_FIELD[field] ?? { kind: 'replace' };
}
