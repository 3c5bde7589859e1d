// Pure: AdmissionReview v1 — the request the apiserver sends a webhook, and what its answer means (allowed, denied with
// a Status, a base64 JSONPatch to apply, warnings), with the apiserver's error wording.
import { ApiError, type Status } from '../api/status.ts';
import { isJsonObject, PatchError, toText, type JsonObject, type JsonValue } from '../patch/json-value.ts';
import { applyJsonPatch } from '../patch/json-patch.ts';
import type { GroupVersionResource } from './webhook-match.ts';

export interface ReviewInput {
  uid: string;
  operation: 'CREATE' | 'UPDATE' | 'DELETE';
  /** What the webhook matched (under matchPolicy Equivalent possibly not the requested version/group). */
  resource: GroupVersionResource;
  kind: string;
  requestResource: GroupVersionResource;
  requestKind: string;
  subresource: string;
  name: string;
  namespace: string;
  userInfo: { username: string; uid?: string; groups: string[] };
  object: JsonObject | undefined;
  oldObject: JsonObject | undefined;
  dryRun: boolean;
  options: JsonObject | undefined;
}

export function buildAdmissionReview(input: ReviewInput): JsonObject {
  const request: JsonObject = {
    uid: input.uid,
    kind: { group: input.resource.group, version: input.resource.version, kind: input.kind },
    resource: { ...input.resource },
    requestKind: { group: input.requestResource.group, version: input.requestResource.version, kind: input.requestKind },
    requestResource: { ...input.requestResource },
    operation: input.operation,
    userInfo: { ...input.userInfo, groups: [...input.userInfo.groups] },
    object: input.object ?? null,
    oldObject: input.oldObject ?? null,
    dryRun: input.dryRun,
    options: input.options ?? null,
  };
  if (input.subresource !== '') {
    request.subResource = input.subresource;
    request.requestSubResource = input.subresource;
  }
  if (input.name !== '') request.name = input.name;
  if (input.namespace !== '') request.namespace = input.namespace;
  return { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request };
}

/** A webhook that could not be called or whose answer makes no sense: failurePolicy decides. */
export class WebhookCallError extends Error {}

export type WebhookOutcome =
  | { kind: 'allowed'; object: JsonObject | undefined; patched: boolean; warnings: string[] }
  | { kind: 'denied'; error: ApiError; warnings: string[] };

/** The apiserver's rejection Status for `allowed: false` (code at least 400, message prefixed with the webhook). */
export function buildDeniedError(webhookName: string, result: unknown): ApiError {
  const r = isJsonObject(result) ? result : {};
  const deniedBy = `admission webhook "${webhookName}" denied the request`;
  const message = typeof r.message === 'string' && r.message !== '' ? `${deniedBy}: ${r.message}`
    : typeof r.reason === 'string' && r.reason !== '' ? `${deniedBy}: ${r.reason}` : `${deniedBy} without explanation`;
  const code = typeof r.code === 'number' && r.code >= 400 ? r.code : 400;
  const status: Status = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, code };
  if (typeof r.reason === 'string' && r.reason !== '') status.reason = r.reason;
  if (isJsonObject(r.details)) status.details = r.details;
  return new ApiError(status);
}

/** The apiserver's 500 for a failed call under failurePolicy Fail. */
export function buildCallFailedError(webhookName: string, reason: string): ApiError {
  const message = `failed calling webhook "${webhookName}": ${reason}`;
  return new ApiError({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: `Internal error occurred: ${message}`,
    reason: 'InternalError', details: { causes: [{ message }] }, code: 500 });
}

/** Reads a webhook's answer; throws WebhookCallError when it is not a usable AdmissionReview. */
export function decideWebhookOutcome(webhookName: string, requestUid: string, body: JsonValue, object: JsonObject | undefined, mutating: boolean): WebhookOutcome {
  if (!isJsonObject(body) || body.apiVersion !== 'admission.k8s.io/v1' || body.kind !== 'AdmissionReview') {
    const gvk = isJsonObject(body) ? `${toText(body.apiVersion ?? '')}, Kind=${toText(body.kind ?? '')}` : 'not an object';
    throw new WebhookCallError(`expected webhook response of admission.k8s.io/v1, Kind=AdmissionReview, got ${gvk}`);
  }
  const response = body.response;
  if (!isJsonObject(response)) throw new WebhookCallError('webhook response was absent');
  if (response.uid !== requestUid) throw new WebhookCallError(`expected response.uid="${requestUid}", got "${toText(response.uid ?? '')}"`);
  const warnings = Array.isArray(response.warnings) ? response.warnings.filter((w): w is string => typeof w === 'string' && w !== '') : [];
  if (response.allowed !== true) return { kind: 'denied', error: buildDeniedError(webhookName, response.status), warnings };
  const patch = typeof response.patch === 'string' ? response.patch : '';
  if (patch === '') return { kind: 'allowed', object, patched: false, warnings };
  if (!mutating) throw new WebhookCallError('validating webhooks may not return a patch');
  if (response.patchType !== 'JSONPatch') {
    throw new WebhookCallError(response.patchType === undefined ? 'webhook returned response.patch but not response.patchType' : `unsupported patch type "${toText(response.patchType)}"`);
  }
  if (object === undefined) throw new WebhookCallError('webhook returned a patch for a request without an object');
  let ops: JsonValue;
  try {
    ops = JSON.parse(Buffer.from(patch, 'base64').toString('utf8')) as JsonValue;
  } catch (err) {
    throw new WebhookCallError(`received undecodable patch in webhook response: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  try {
    const next = applyJsonPatch(object, ops);
    if (!isJsonObject(next)) throw new WebhookCallError('the patch did not result in an object');
    return { kind: 'allowed', object: next, patched: true, warnings };
  } catch (err) {
    if (err instanceof PatchError) throw new WebhookCallError(`failed to apply the webhook's patch: ${err.message}`, { cause: err });
    throw err;
  }
}
