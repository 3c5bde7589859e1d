// Flattens the RBAC the chart renders into the permissions its ServiceAccount actually gets. Pure.
import type { KubeObject } from './parse-manifests.ts';

interface PolicyRule {
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
  verbs: string[];
}

/**
 * One line per permission: `<scope> <group>/<resource> <verb> <name>` (scope `cluster` or a namespace; name `*` when
 * not restricted; group empty for the core group) or `cluster url:<path> <verb>`. Only roles bound to the account count.
 */
export function grantedPermissions(objects: readonly KubeObject[], account: { namespace: string; name: string }): string[] {
  const out = new Set<string>();
  for (const binding of objects.filter((object) => object.kind === 'ClusterRoleBinding' || object.kind === 'RoleBinding')) {
    const subjects = (binding.subjects ?? []) as { kind: string; name: string; namespace?: string }[];
    if (!subjects.some((subject) => subject.kind === 'ServiceAccount' && subject.name === account.name && subject.namespace === account.namespace)) continue;
    const roleRef = binding.roleRef as { kind: string; name: string };
    const scope = binding.kind === 'ClusterRoleBinding' ? 'cluster' : binding.metadata.namespace!;
    const role = objects.find((object) => object.kind === roleRef.kind && object.metadata.name === roleRef.name
      && (roleRef.kind === 'ClusterRole' || object.metadata.namespace === binding.metadata.namespace));
    if (role === undefined) throw new Error(`${binding.kind}/${binding.metadata.name} refers to ${roleRef.kind}/${roleRef.name}, which is not rendered`);
    for (const rule of (role.rules ?? []) as PolicyRule[]) {
      for (const verb of rule.verbs) {
        for (const url of rule.nonResourceURLs ?? []) out.add(`${scope} url:${url} ${verb}`);
        for (const group of rule.apiGroups ?? []) {
          for (const resource of rule.resources ?? []) {
            for (const name of rule.resourceNames ?? ['*']) out.add(`${scope} ${group}/${resource} ${verb} ${name}`);
          }
        }
      }
    }
  }
  return [...out].sort();
}

/** Every rule of every Role and ClusterRole, with where it came from. */
export function allRules(objects: readonly KubeObject[]): { role: string; rule: PolicyRule }[] {
  return objects.filter((object) => object.kind === 'Role' || object.kind === 'ClusterRole')
    .flatMap((role) => ((role.rules ?? []) as PolicyRule[]).map((rule) => ({ role: `${role.kind}/${role.metadata.name}`, rule })));
}
