// Pure: RBAC authorization like the apiserver's RBAC authorizer — rule matching, subjects, bindings, the Forbidden
// message wording, and the bootstrap policy every cluster starts with.
import type { JsonObject } from '../patch/json-value.ts';

export interface PolicyRule {
  verbs: string[];
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
}

export interface Subject {
  kind: string;
  name: string;
  namespace?: string;
  apiGroup?: string;
}

export interface RoleRef {
  kind: string;
  name: string;
  apiGroup?: string;
}

export interface Binding {
  /** Undefined for a ClusterRoleBinding. */
  namespace?: string;
  name: string;
  roleRef: RoleRef;
  subjects?: Subject[];
}

export interface User {
  username: string;
  groups: string[];
}

export type Attributes =
  | { kind: 'resource'; user: User; verb: string; apiGroup: string; resource: string; subresource?: string; namespace?: string; name?: string }
  | { kind: 'nonResource'; user: User; verb: string; path: string };

/** What the authorizer reads: the RBAC objects currently stored. */
export interface PolicySource {
  clusterRoleBindings(): Binding[];
  roleBindings(namespace: string): Binding[];
  clusterRole(name: string): PolicyRule[] | undefined;
  role(namespace: string, name: string): PolicyRule[] | undefined;
}

export type Decision = { allowed: true; reason: string } | { allowed: false; reason: string };

export function isVerbMatch(rule: PolicyRule, verb: string): boolean {
  return rule.verbs.includes('*') || rule.verbs.includes(verb);
}

export function isApiGroupMatch(rule: PolicyRule, group: string): boolean {
  const groups = rule.apiGroups ?? [];
  return groups.includes('*') || groups.includes(group);
}

/** `pods` matches only the resource, `pods/status` the subresource, `*` everything, `*\/status` that subresource of anything. */
export function isResourceMatch(rule: PolicyRule, resource: string, subresource: string | undefined): boolean {
  const combined = subresource === undefined || subresource === '' ? resource : `${resource}/${subresource}`;
  for (const r of rule.resources ?? []) {
    if (r === '*' || r === combined) return true;
    if (subresource !== undefined && subresource !== '' && r.startsWith('*/') && r.slice(2) === subresource) return true;
  }
  return false;
}

export function isResourceNameMatch(rule: PolicyRule, name: string | undefined): boolean {
  const names = rule.resourceNames ?? [];
  if (names.length === 0) return true;
  return name !== undefined && names.includes(name);
}

export function isNonResourceUrlMatch(rule: PolicyRule, path: string): boolean {
  for (const u of rule.nonResourceURLs ?? []) {
    if (u === '*' || u === path) return true;
    if (u.endsWith('*') && path.startsWith(u.slice(0, -1))) return true;
  }
  return false;
}

export function isRuleAllowing(rule: PolicyRule, attrs: Attributes): boolean {
  if (!isVerbMatch(rule, attrs.verb)) return false;
  if (attrs.kind === 'nonResource') return isNonResourceUrlMatch(rule, attrs.path);
  return isApiGroupMatch(rule, attrs.apiGroup) && isResourceMatch(rule, attrs.resource, attrs.subresource)
    && isResourceNameMatch(rule, attrs.name);
}

/** `system:serviceaccount:<ns>:<name>` → its parts. */
export function parseServiceAccountUsername(username: string): { namespace: string; name: string } | undefined {
  const m = /^system:serviceaccount:([^:]+):([^:]+)$/.exec(username);
  return m === null ? undefined : { namespace: m[1]!, name: m[2]! };
}

export function serviceAccountUsername(namespace: string, name: string): string {
  return `system:serviceaccount:${namespace}:${name}`;
}

/** The groups the apiserver gives a ServiceAccount's token. */
export function serviceAccountGroups(namespace: string): string[] {
  return ['system:serviceaccounts', `system:serviceaccounts:${namespace}`, 'system:authenticated'];
}

export function isSubjectMatch(subject: Subject, user: User, bindingNamespace: string | undefined): boolean {
  switch (subject.kind) {
    case 'User': return subject.name === user.username;
    case 'Group': return user.groups.includes(subject.name);
    case 'ServiceAccount': {
      const ns = subject.namespace ?? bindingNamespace ?? '';
      return ns !== '' && user.username === serviceAccountUsername(ns, subject.name);
    }
    default: return false;
  }
}

function describeSubject(s: Subject, bindingNamespace: string | undefined): string {
  if (s.kind === 'ServiceAccount') return `ServiceAccount "${s.namespace ?? bindingNamespace ?? ''}/${s.name}"`;
  return `${s.kind} "${s.name}"`;
}

/**
 * The RBAC decision: allowed if any binding that applies to the user grants a matching rule. Bindings whose role
 * does not exist are skipped and reported in the reason (`RBAC: clusterrole.rbac.authorization.k8s.io "x" not found`).
 */
export function decideAuthorization(policy: PolicySource, attrs: Attributes): Decision {
  const errors: string[] = [];
  const check = (binding: Binding): string | undefined => {
    const subject = (binding.subjects ?? []).find((s) => isSubjectMatch(s, attrs.user, binding.namespace));
    if (subject === undefined) return undefined;
    const ref = binding.roleRef;
    const rules = ref.kind === 'ClusterRole' ? policy.clusterRole(ref.name)
      : binding.namespace !== undefined ? policy.role(binding.namespace, ref.name) : undefined;
    if (rules === undefined) {
      errors.push(`${ref.kind.toLowerCase()}.rbac.authorization.k8s.io "${ref.name}" not found`);
      return undefined;
    }
    if (!rules.some((r) => isRuleAllowing(r, attrs))) return undefined;
    const bindingKind = binding.namespace === undefined ? 'ClusterRoleBinding' : 'RoleBinding';
    const where = binding.namespace === undefined ? '' : ` in namespace "${binding.namespace}"`;
    return `RBAC: allowed by ${bindingKind} "${binding.name}" of ${ref.kind} "${ref.name}" to ${describeSubject(subject, binding.namespace)}${where}`;
  };
  for (const b of policy.clusterRoleBindings()) {
    const why = check(b);
    if (why !== undefined) return { allowed: true, reason: why };
  }
  if (attrs.kind === 'resource' && attrs.namespace !== undefined && attrs.namespace !== '') {
    for (const b of policy.roleBindings(attrs.namespace)) {
      const why = check({ ...b, namespace: attrs.namespace });
      if (why !== undefined) return { allowed: true, reason: why };
    }
  }
  const reason = errors.length === 0 ? '' : `RBAC: ${errors.length === 1 ? errors[0]! : `[${errors.join(', ')}]`}`;
  return { allowed: false, reason };
}

/** Every rule that applies to the user in `namespace` (SelfSubjectRulesReview), and errors for missing roles. */
export function collectRules(policy: PolicySource, user: User, namespace: string): { rules: PolicyRule[]; errors: string[] } {
  const rules: PolicyRule[] = [];
  const errors: string[] = [];
  const add = (b: Binding): void => {
    if (!(b.subjects ?? []).some((s) => isSubjectMatch(s, user, b.namespace))) return;
    const found = b.roleRef.kind === 'ClusterRole' ? policy.clusterRole(b.roleRef.name)
      : b.namespace !== undefined ? policy.role(b.namespace, b.roleRef.name) : undefined;
    if (found === undefined) errors.push(`${b.roleRef.kind.toLowerCase()}.rbac.authorization.k8s.io "${b.roleRef.name}" not found`);
    else rules.push(...found);
  };
  for (const b of policy.clusterRoleBindings()) add(b);
  if (namespace !== '') for (const b of policy.roleBindings(namespace)) add({ ...b, namespace });
  return { rules, errors };
}

/** The apiserver's forbidden message (before the `<resource> "<name>" is forbidden: ` prefix). */
export function buildForbiddenReason(attrs: Attributes, reason: string): string {
  let msg: string;
  if (attrs.kind === 'nonResource') {
    msg = `User "${attrs.user.username}" cannot ${attrs.verb} path "${attrs.path}"`;
  } else {
    const resource = attrs.subresource === undefined || attrs.subresource === '' ? attrs.resource : `${attrs.resource}/${attrs.subresource}`;
    const scope = attrs.namespace !== undefined && attrs.namespace !== '' ? `in the namespace "${attrs.namespace}"` : 'at the cluster scope';
    msg = `User "${attrs.user.username}" cannot ${attrs.verb} resource "${resource}" in API group "${attrs.apiGroup}" ${scope}`;
  }
  return reason === '' ? msg : `${msg}: ${reason}`;
}

/** The whole Status message, as `apierrors.NewForbidden` words it. */
export function buildForbiddenMessage(attrs: Attributes, reason: string): string {
  const err = buildForbiddenReason(attrs, reason);
  if (attrs.kind === 'nonResource') return `forbidden: ${err}`;
  const qualified = attrs.apiGroup === '' ? attrs.resource : `${attrs.resource}.${attrs.apiGroup}`;
  if (attrs.name === undefined || attrs.name === '') return `${qualified} is forbidden: ${err}`;
  return `${qualified} "${attrs.name}" is forbidden: ${err}`;
}

const RBAC_V1 = 'rbac.authorization.k8s.io/v1';
const BOOTSTRAP_LABELS = { 'kubernetes.io/bootstrapping': 'rbac-defaults' };
const BOOTSTRAP_ANNOTATIONS = { 'rbac.authorization.kubernetes.io/autoupdate': 'true' };

function clusterRole(name: string, rules: PolicyRule[]): JsonObject {
  return { apiVersion: RBAC_V1, kind: 'ClusterRole', metadata: { name, labels: { ...BOOTSTRAP_LABELS }, annotations: { ...BOOTSTRAP_ANNOTATIONS } }, rules: rules as unknown as JsonObject[] };
}

function clusterRoleBinding(name: string, role: string, groups: string[]): JsonObject {
  return {
    apiVersion: RBAC_V1, kind: 'ClusterRoleBinding',
    metadata: { name, labels: { ...BOOTSTRAP_LABELS }, annotations: { ...BOOTSTRAP_ANNOTATIONS } },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role },
    subjects: groups.map((g) => ({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: g })),
  };
}

/** The subset of the apiserver's bootstrap policy this cluster creates (no aggregated admin/edit/view roles). */
export function buildBootstrapPolicy(): { clusterRoles: JsonObject[]; clusterRoleBindings: JsonObject[] } {
  const publicInfo = ['/healthz', '/livez', '/readyz', '/version', '/version/'];
  return {
    clusterRoles: [
      clusterRole('cluster-admin', [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }, { nonResourceURLs: ['*'], verbs: ['*'] }]),
      clusterRole('system:discovery', [{ nonResourceURLs: ['/api', '/api/*', '/apis', '/apis/*', '/healthz', '/livez', '/openapi', '/openapi/*', '/readyz', '/version', '/version/'], verbs: ['get'] }]),
      clusterRole('system:public-info-viewer', [{ nonResourceURLs: publicInfo, verbs: ['get'] }]),
      clusterRole('system:basic-user', [{ apiGroups: ['authorization.k8s.io'], resources: ['selfsubjectaccessreviews', 'selfsubjectrulesreviews'], verbs: ['create'] }]),
    ],
    clusterRoleBindings: [
      clusterRoleBinding('cluster-admin', 'cluster-admin', ['system:masters']),
      clusterRoleBinding('system:discovery', 'system:discovery', ['system:authenticated']),
      clusterRoleBinding('system:public-info-viewer', 'system:public-info-viewer', ['system:authenticated', 'system:unauthenticated']),
      clusterRoleBinding('system:basic-user', 'system:basic-user', ['system:authenticated']),
    ],
  };
}
