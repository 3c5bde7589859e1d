// Reads kube-apiserver's audit log (JSON lines, audit.k8s.io/v1 Events) of a cluster started with `auditLog`: the
// requests the API server refused with 403 (RBAC or admission denied them), as who/verb/resource/namespace/name.
// Pure parsing and description; readForbiddenRequests is the only I/O.
import { readFile } from 'node:fs/promises';

/** One refused request. Resource requests carry resource/apiGroup; non-resource ones (`/healthz`) carry path. */
export interface ForbiddenRequest {
  readonly auditId: string;
  readonly user: string;
  readonly verb: string;
  readonly resource?: string;
  readonly subresource?: string;
  readonly apiGroup?: string;
  readonly namespace?: string;
  readonly name?: string;
  /** The request URI (always set; the only description of a non-resource request). */
  readonly path: string;
  /** The API server's reason, when the policy level records it (annotations `authorization.k8s.io/reason`). */
  readonly reason?: string;
}

interface AuditEventShape {
  auditID?: unknown;
  stage?: unknown;
  verb?: unknown;
  requestURI?: unknown;
  user?: { username?: unknown };
  objectRef?: { resource?: unknown; subresource?: unknown; apiGroup?: unknown; namespace?: unknown; name?: unknown };
  responseStatus?: { code?: unknown };
  annotations?: Record<string, unknown>;
}

const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);

/**
 * The 403s among the log's lines, once per request (a request has one ResponseComplete or Panic event; other stages
 * are skipped). Lines that are not JSON (a line being written while read) are ignored.
 */
export function parseForbiddenRequests(logText: string): ForbiddenRequest[] {
  const out: ForbiddenRequest[] = [];
  const seen = new Set<string>();
  for (const line of logText.split('\n')) {
    if (line.trim() === '') continue;
    let event: AuditEventShape;
    try {
      event = JSON.parse(line) as AuditEventShape;
    } catch {
      continue;
    }
    if (event.responseStatus?.code !== 403) continue;
    if (event.stage !== 'ResponseComplete' && event.stage !== 'Panic') continue;
    const auditId = text(event.auditID) ?? `line-${out.length}`;
    if (seen.has(auditId)) continue;
    seen.add(auditId);
    const ref = event.objectRef ?? {};
    const optional = {
      resource: text(ref.resource), subresource: text(ref.subresource), apiGroup: text(ref.apiGroup),
      namespace: text(ref.namespace), name: text(ref.name), reason: text(event.annotations?.['authorization.k8s.io/reason']),
    };
    out.push({
      auditId,
      user: text(event.user?.username) ?? '(unknown)',
      verb: text(event.verb) ?? '(unknown)',
      path: text(event.requestURI) ?? '',
      ...Object.fromEntries(Object.entries(optional).filter(([, value]) => value !== undefined)),
    });
  }
  return out;
}

/** `system:serviceaccount:ns:sa may not get leases.coordination.k8s.io "x" in namespace ns` (or `... get /healthz`). */
export function describeForbidden(request: ForbiddenRequest): string {
  if (request.resource === undefined) return `${request.user} may not ${request.verb} ${request.path}`;
  const resource = `${request.resource}${request.subresource === undefined ? '' : `/${request.subresource}`}${request.apiGroup === undefined ? '' : `.${request.apiGroup}`}`;
  const name = request.name === undefined ? '' : ` "${request.name}"`;
  // The API server files a namespace's own name as its namespace too; a Namespace is cluster-scoped.
  const clusterScoped = request.namespace === undefined || (request.resource === 'namespaces' && request.apiGroup === undefined);
  const where = clusterScoped ? 'cluster-wide' : `in namespace ${request.namespace}`;
  return `${request.user} may not ${request.verb} ${resource}${name} ${where}`;
}

/** The 403s logged so far (an absent log is none yet). */
export async function readForbiddenRequests(auditLogPath: string): Promise<ForbiddenRequest[]> {
  const content = await readFile(auditLogPath, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return '';
    throw error;
  });
  return parseForbiddenRequests(content);
}
