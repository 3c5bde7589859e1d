// Authentication (admin tokens, ServiceAccount JWTs), RBAC authorization over the stored Roles and bindings,
// impersonation and access reviews. Reads the store; no network I/O.
import { ApiError, type Status, type StatusDetails } from '../api/status.ts';
import { isJsonObject, type JsonObject } from '../patch/json-value.ts';
import type { Store } from '../store/store.ts';
import type { RequestAttributes, UserInfo } from '../server/pipeline.ts';
import { SYSTEM_MASTERS } from '../server/pipeline.ts';
import {
  buildForbiddenMessage, collectRules, decideAuthorization, parseServiceAccountUsername, serviceAccountGroups, serviceAccountUsername,
  type Attributes, type Binding, type Decision, type PolicyRule, type PolicySource,
} from './rbac.ts';
import { buildServiceAccountToken, decodeServiceAccountToken } from './service-account-token.ts';

const RBAC = 'rbac.authorization.k8s.io';

function unauthorized(): ApiError {
  return new ApiError({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 });
}

/** The 403 Status the apiserver answers for a denied request. */
export function buildForbiddenError(attrs: Attributes, reason: string): ApiError {
  const details: StatusDetails = {};
  if (attrs.kind === 'resource') {
    if (attrs.name !== undefined && attrs.name !== '') details.name = attrs.name;
    if (attrs.apiGroup !== '') details.group = attrs.apiGroup;
    details.kind = attrs.resource;
  }
  const status: Status = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: buildForbiddenMessage(attrs, reason), reason: 'Forbidden', details, code: 403 };
  return new ApiError(status);
}

function rulesOf(obj: JsonObject | undefined): PolicyRule[] | undefined {
  if (obj === undefined) return undefined;
  return Array.isArray(obj.rules) ? obj.rules as unknown as PolicyRule[] : [];
}

function bindingOf(obj: JsonObject): Binding {
  const m = obj.metadata as { name: string; namespace?: string };
  const b: Binding = { name: m.name, roleRef: obj.roleRef as unknown as Binding['roleRef'] };
  if (m.namespace !== undefined) b.namespace = m.namespace;
  if (Array.isArray(obj.subjects)) b.subjects = obj.subjects as unknown as Binding['subjects'];
  return b;
}

export interface TokenRequestSpec {
  audiences?: string[];
  expirationSeconds?: number;
}

export class AccessControl {
  private readonly store: Store;
  private readonly adminTokens: ReadonlyMap<string, UserInfo>;
  private readonly signingKey: Buffer;
  private readonly now: () => number;
  private readonly onDenied: ((attrs: Attributes) => void) | undefined;

  constructor(options: {
    store: Store; adminTokens: ReadonlyMap<string, UserInfo>; signingKey: Buffer; now?: () => number;
    /** Told about every request RBAC refused (tests that must name a missing permission). */
    onDenied?: (attrs: Attributes) => void;
  }) {
    this.store = options.store;
    this.adminTokens = options.adminTokens;
    this.signingKey = options.signingKey;
    this.now = options.now ?? Date.now;
    this.onDenied = options.onDenied;
  }

  private readonly policy: PolicySource = {
    clusterRoleBindings: () => this.store.list(`${RBAC}/clusterrolebindings`).map(bindingOf),
    roleBindings: (ns) => this.store.list(`${RBAC}/rolebindings`, ns).map(bindingOf),
    clusterRole: (name) => rulesOf(this.store.get(`${RBAC}/clusterroles`, undefined, name)),
    role: (ns, name) => rulesOf(this.store.get(`${RBAC}/roles`, ns, name)),
  };

  authenticate(token: string | undefined): UserInfo {
    if (token === undefined || token === '') throw unauthorized();
    const admin = this.adminTokens.get(token);
    if (admin !== undefined) return admin;
    const claims = decodeServiceAccountToken(this.signingKey, token, Math.floor(this.now() / 1000));
    if (claims === undefined) throw unauthorized();
    const sa = this.store.get('/serviceaccounts', claims.sa.namespace, claims.sa.name);
    if (sa === undefined || (sa.metadata as { uid?: string }).uid !== claims.sa.uid) throw unauthorized();
    if (claims.kind === 'legacy') {
      const secret = this.store.get('/secrets', claims.sa.namespace, claims.secretName);
      if (secret === undefined || secret.type !== 'kubernetes.io/service-account-token') throw unauthorized();
    }
    return { username: serviceAccountUsername(claims.sa.namespace, claims.sa.name), uid: claims.sa.uid, groups: serviceAccountGroups(claims.sa.namespace) };
  }

  /** The RBAC decision (system:masters always allowed, as the apiserver's privileged-group authorizer does). */
  decide(attrs: Attributes): Decision {
    if (attrs.user.groups.includes(SYSTEM_MASTERS)) return { allowed: true, reason: '' };
    return decideAuthorization(this.policy, attrs);
  }

  /** SelfSubjectRulesReview status: the user's rules in a namespace (system:masters: everything). */
  rulesReview(user: UserInfo, namespace: string): JsonObject {
    const { rules, errors } = user.groups.includes(SYSTEM_MASTERS)
      ? { rules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }, { verbs: ['*'], nonResourceURLs: ['*'] }] as PolicyRule[], errors: [] }
      : collectRules(this.policy, user, namespace);
    const resourceRules = rules.filter((r) => (r.resources ?? []).length > 0)
      .map((r) => ({ verbs: r.verbs, apiGroups: r.apiGroups ?? [], resources: r.resources ?? [], ...(r.resourceNames === undefined ? {} : { resourceNames: r.resourceNames }) }));
    const nonResourceRules = rules.filter((r) => (r.nonResourceURLs ?? []).length > 0).map((r) => ({ verbs: r.verbs, nonResourceURLs: r.nonResourceURLs ?? [] }));
    const status: JsonObject = { resourceRules, nonResourceRules, incomplete: errors.length > 0 };
    if (errors.length > 0) status.evaluationError = errors.join(', ');
    return status;
  }

  authorize(a: RequestAttributes): void {
    const attrs: Attributes = { kind: 'resource', user: a.user, verb: a.verb, apiGroup: a.type.group, resource: a.type.resource };
    if (a.subresource !== undefined) attrs.subresource = a.subresource;
    if (a.namespace !== undefined) attrs.namespace = a.namespace;
    if (a.name !== undefined) attrs.name = a.name;
    this.enforce(attrs);
  }

  authorizeNonResource(user: UserInfo, verb: string, path: string): void {
    this.enforce({ kind: 'nonResource', user, verb, path });
  }

  private enforce(attrs: Attributes): void {
    const d = this.decide(attrs);
    if (d.allowed) return;
    this.onDenied?.(attrs);
    throw buildForbiddenError(attrs, d.reason);
  }

  /**
   * Applies `Impersonate-User` / `Impersonate-Group` / `Impersonate-Uid`: the requester needs the `impersonate` verb on
   * users (or serviceaccounts), groups and uids. Without the headers the user is returned unchanged.
   */
  impersonate(user: UserInfo, headers: { user?: string; groups: string[]; uid?: string }): UserInfo {
    if (headers.user === undefined || headers.user === '') {
      if (headers.groups.length > 0 || headers.uid !== undefined) {
        throw new ApiError({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', code: 500, reason: 'InternalError',
          message: 'Internal error occurred: requested [{Group ' + headers.groups.join(' ') + '}] without impersonating a user' });
      }
      return user;
    }
    const sa = parseServiceAccountUsername(headers.user);
    const check = (resource: string, name: string, namespace?: string, apiGroup = ''): void => {
      const attrs: Attributes = { kind: 'resource', user, verb: 'impersonate', apiGroup, resource, name };
      if (namespace !== undefined) attrs.namespace = namespace;
      const d = this.decide(attrs);
      if (!d.allowed) throw buildForbiddenError(attrs, d.reason);
    };
    if (sa !== undefined) check('serviceaccounts', sa.name, sa.namespace);
    else check('users', headers.user);
    for (const g of headers.groups) check('groups', g);
    if (headers.uid !== undefined) check('uids', headers.uid, undefined, 'authentication.k8s.io');
    let groups = [...headers.groups];
    if (sa !== undefined && groups.length === 0) groups = serviceAccountGroups(sa.namespace);
    if (headers.user !== 'system:anonymous' && !groups.includes('system:authenticated')) groups.push('system:authenticated');
    const out: UserInfo = { username: headers.user, groups };
    if (headers.uid !== undefined) out.uid = headers.uid;
    return out;
  }

  /** A TokenRequest's token for an existing ServiceAccount (bound token, default one hour, at least ten minutes). */
  issueToken(sa: JsonObject, spec: TokenRequestSpec): { token: string; expirationTimestamp: Date; audiences: string[]; expirationSeconds: number } {
    const m = sa.metadata as { name: string; namespace: string; uid: string };
    const expirationSeconds = spec.expirationSeconds ?? 3600;
    const audiences = spec.audiences !== undefined && spec.audiences.length > 0 ? spec.audiences : ['https://kubernetes.default.svc.cluster.local'];
    const issuedAt = Math.floor(this.now() / 1000);
    const token = buildServiceAccountToken(this.signingKey, {
      kind: 'bound', sa: { namespace: m.namespace, name: m.name, uid: m.uid }, audiences, issuedAt, expiresAt: issuedAt + expirationSeconds,
    });
    return { token, expirationTimestamp: new Date((issuedAt + expirationSeconds) * 1000), audiences, expirationSeconds };
  }

  /** A non-expiring legacy token for a `kubernetes.io/service-account-token` Secret. */
  issueLegacyToken(sa: JsonObject, secretName: string): string {
    const m = sa.metadata as { name: string; namespace: string; uid: string };
    return buildServiceAccountToken(this.signingKey, { kind: 'legacy', sa: { namespace: m.namespace, name: m.name, uid: m.uid }, secretName });
  }
}

/** Reads an AccessReview's spec.resourceAttributes / nonResourceAttributes into RBAC attributes. */
export function decideReviewAttributes(spec: unknown, user: UserInfo): Attributes | undefined {
  if (!isJsonObject(spec)) return undefined;
  const str = (o: JsonObject, k: string): string => (typeof o[k] === 'string' ? o[k] : '');
  if (isJsonObject(spec.resourceAttributes)) {
    const r = spec.resourceAttributes;
    const attrs: Attributes = { kind: 'resource', user, verb: str(r, 'verb'), apiGroup: str(r, 'group'), resource: str(r, 'resource') };
    if (str(r, 'subresource') !== '') attrs.subresource = str(r, 'subresource');
    if (str(r, 'namespace') !== '') attrs.namespace = str(r, 'namespace');
    if (str(r, 'name') !== '') attrs.name = str(r, 'name');
    return attrs;
  }
  if (isJsonObject(spec.nonResourceAttributes)) {
    return { kind: 'nonResource', user, verb: str(spec.nonResourceAttributes, 'verb'), path: str(spec.nonResourceAttributes, 'path') };
  }
  return undefined;
}
