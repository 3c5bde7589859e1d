// Recovers the Deployment a pod belongs to from its ReplicaSet owner, as admission sees a new pod. Pure.
import type { Pod } from '../kube/pod.ts';
import { MANIFEST_LABEL, POD_TEMPLATE_HASH_LABEL } from '../naming.ts';

/**
 * The ReplicaSet controller names a Deployment's ReplicaSets `<deployment>-<pod-template-hash>` and labels
 * their pods with that hash. A pod not made by a Deployment falls back to its manifest label's value.
 */
export function findAppName(pod: Pod): string | undefined {
  const owner = pod.metadata?.ownerReferences?.find((reference) => reference.controller === true && reference.kind === 'ReplicaSet');
  const hash = pod.metadata?.labels?.[POD_TEMPLATE_HASH_LABEL];
  if (owner !== undefined && hash !== undefined && owner.name.endsWith(`-${hash}`)) {
    return owner.name.slice(0, -(hash.length + 1));
  }
  return pod.metadata?.labels?.[MANIFEST_LABEL];
}
