// Pure: the Kubernetes Status object and the ApiError that carries it through the server.

export interface StatusCause {
  reason?: string;
  message?: string;
  field?: string;
}

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

export interface Status {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Success' | 'Failure';
  message?: string;
  reason?: string;
  details?: StatusDetails;
  code: number;
}

/** An error the API answers as a Status object with the given HTTP code. */
export class ApiError extends Error {
  readonly status: Status;
  constructor(status: Status) {
    super(status.message);
    this.status = status;
  }
  get code(): number {
    return this.status.code;
  }
}

/** The group-qualified resource name as the API prints it: `configmaps`, `deployments.apps`. */
export interface GroupResource {
  group: string;
  resource: string;
}

export function qualifiedResource(gr: GroupResource): string {
  return gr.group === '' ? gr.resource : `${gr.resource}.${gr.group}`;
}

function failure(code: number, reason: string, message: string, details?: StatusDetails): ApiError {
  const status: Status = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code };
  if (details !== undefined) status.details = details;
  return new ApiError(status);
}

function resourceDetails(gr: GroupResource, name: string): StatusDetails {
  const details: StatusDetails = { name };
  if (gr.group !== '') details.group = gr.group;
  details.kind = gr.resource;
  return details;
}

export function buildSuccessStatus(details?: StatusDetails): Status {
  const status: Status = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 200 };
  if (details !== undefined) status.details = details;
  return status;
}

export function notFound(gr: GroupResource, name: string): ApiError {
  return failure(404, 'NotFound', `${qualifiedResource(gr)} "${name}" not found`, resourceDetails(gr, name));
}

export function alreadyExists(gr: GroupResource, name: string): ApiError {
  return failure(409, 'AlreadyExists', `${qualifiedResource(gr)} "${name}" already exists`, resourceDetails(gr, name));
}

export function conflict(gr: GroupResource, name: string, why: string): ApiError {
  return failure(409, 'Conflict', `Operation cannot be fulfilled on ${qualifiedResource(gr)} "${name}": ${why}`,
    resourceDetails(gr, name));
}

export const STALE_OBJECT = 'the object has been modified; please apply your changes to the latest version and try again';

export interface FieldError {
  /** Field path, e.g. `spec.websocket.port`. */
  field: string;
  /** FieldValueRequired, FieldValueInvalid, FieldValueNotSupported, FieldValueTypeInvalid, FieldValueForbidden, FieldValueTooLong, FieldValueTooMany, FieldValueDuplicate. */
  reason: string;
  /** The message without the field, e.g. `Required value`, `Invalid value: 7: must be ...`. */
  message: string;
}

export function invalid(kind: string, group: string, name: string, errors: readonly FieldError[]): ApiError {
  const qualifiedKind = group === '' ? kind : `${kind}.${group}`;
  const parts = errors.map((e) => `${e.field}: ${e.message}`);
  const joined = parts.length === 1 ? parts[0] : `[${parts.join(', ')}]`;
  const details: StatusDetails = { name };
  if (group !== '') details.group = group;
  details.kind = kind;
  details.causes = errors.map((e) => ({ reason: e.reason, message: e.message, field: e.field }));
  return failure(422, 'Invalid', `${qualifiedKind} "${name}" is invalid: ${joined}`, details);
}

export function badRequest(message: string): ApiError {
  return failure(400, 'BadRequest', message);
}

export function unauthorized(): ApiError {
  return failure(401, 'Unauthorized', 'Unauthorized');
}

export function forbidden(gr: GroupResource, name: string, message: string): ApiError {
  return failure(403, 'Forbidden', message, resourceDetails(gr, name));
}

export function methodNotAllowed(message = 'the server does not allow this method on the requested resource'): ApiError {
  return failure(405, 'MethodNotAllowed', message);
}

export function notAcceptable(message: string): ApiError {
  return failure(406, 'NotAcceptable', message);
}

export function gone(message: string): ApiError {
  return failure(410, 'Expired', message);
}

export function unsupportedMediaType(message: string): ApiError {
  return failure(415, 'UnsupportedMediaType', message);
}

export function tooManyRequests(retryAfterSeconds: number): ApiError {
  return failure(429, 'TooManyRequests', 'the server has received too many requests and has asked us to try again later',
    { retryAfterSeconds, causes: [] });
}

export function internalError(message: string): ApiError {
  return failure(500, 'InternalError', `Internal error occurred: ${message}`, { causes: [{ message }] });
}

export function pageNotFound(): ApiError {
  return failure(404, 'NotFound', 'the server could not find the requested resource', {});
}

/** A Status reported through a watch stream, or turned into one from any thrown value. */
export function toStatus(err: unknown): Status {
  if (err instanceof ApiError) return err.status;
  const message = err instanceof Error ? err.message : String(err);
  return internalError(message).status;
}
