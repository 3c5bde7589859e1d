// AdmissionReview v1 in, AdmissionReview v1 out, for pod injection (SPEC B3). Pure: the manifest comes from a cache
// lookup passed in. Any problem admits the pod unchanged (allowed: true), with a warning when there is something to say.
import * as z from 'zod';
import { podSchema } from '../kube/pod.ts';
import type { ManifestLookup } from '../manifest/manifest-lookup.ts';
import { decideInjection, type InjectionDecision } from '../injection/decide-injection.ts';
import type { GatewaySettings } from '../injection/gateway-settings.ts';
import { MANIFEST_LABEL } from '../naming.ts';

export const admissionReviewSchema = z.object({
  apiVersion: z.literal('admission.k8s.io/v1'),
  kind: z.literal('AdmissionReview'),
  request: z.looseObject({
    uid: z.string().min(1),
    kind: z.looseObject({ group: z.string(), version: z.string(), kind: z.string() }),
    namespace: z.string().optional(),
    operation: z.string(),
    dryRun: z.boolean().optional(),
    object: z.unknown(),
  }),
});

export interface AdmissionResponse {
  uid: string;
  allowed: true;
  patchType?: 'JSONPatch';
  patch?: string;
  warnings?: string[];
}

export interface AdmissionReviewOut {
  apiVersion: 'admission.k8s.io/v1';
  kind: 'AdmissionReview';
  response: AdmissionResponse;
}

export interface AdmissionContext {
  /** The ConfigMap cache's answer for (namespace, configmap name). */
  lookupManifest: (namespace: string, configMapName: string) => ManifestLookup;
  settings: GatewaySettings;
  nativeSidecars: boolean;
}

export type AdmissionOutcome =
  | { kind: 'reviewed'; review: AdmissionReviewOut; decision: InjectionDecision | { kind: 'ignored'; reason: string } }
  /** Not even a uid to answer with: the caller answers 400. */
  | { kind: 'unreadable'; message: string };

export function reviewAdmission(body: unknown, context: AdmissionContext): AdmissionOutcome {
  const parsed = admissionReviewSchema.safeParse(body);
  if (!parsed.success) {
    const uid = (body as { request?: { uid?: unknown } } | null)?.request?.uid;
    const issue = parsed.error.issues[0]!;
    const message = `${issue.path.map(String).join('.') || 'body'}: ${issue.message}`;
    if (typeof uid !== 'string' || uid === '') return { kind: 'unreadable', message };
    return ignored(uid, `not an AdmissionReview v1 we can read (${message})`);
  }
  const { request } = parsed.data;
  if (request.kind.kind !== 'Pod' || request.kind.group !== '' || request.operation !== 'CREATE') {
    return ignored(request.uid, `not a Pod CREATE (${request.kind.kind} ${request.operation})`);
  }
  // Pods nest a few dozen levels at most; a handcrafted one nested far deeper would overflow the stack further on.
  if (isNestedDeeperThan(request.object, MAX_POD_DEPTH)) return ignored(request.uid, `the pod is nested deeper than ${MAX_POD_DEPTH} levels`);
  const pod = podSchema.safeParse(request.object);
  if (!pod.success) return ignored(request.uid, 'the pod could not be read');
  const namespace = request.namespace ?? pod.data.metadata?.namespace ?? '';
  const configMapName = pod.data.metadata?.labels?.[MANIFEST_LABEL];
  if (configMapName === undefined || configMapName === '') return ignored(request.uid, `no ${MANIFEST_LABEL} label`);
  const decision = decideInjection({
    pod: pod.data, namespace, manifest: context.lookupManifest(namespace, configMapName), settings: context.settings, nativeSidecars: context.nativeSidecars,
  });
  const response: AdmissionResponse = { uid: request.uid, allowed: true };
  if (decision.kind === 'inject') {
    response.patchType = 'JSONPatch';
    response.patch = Buffer.from(JSON.stringify(decision.patch)).toString('base64');
  }
  if (decision.warnings.length > 0) response.warnings = decision.warnings;
  return { kind: 'reviewed', review: wrap(response), decision };
}

/** Far above any real pod (managedFields included), far below what recursive code can walk. */
export const MAX_POD_DEPTH = 100;

/** Whether arrays/objects nest more than `limit` levels; iterative, so any depth is safe to check. */
export function isNestedDeeperThan(value: unknown, limit: number): boolean {
  const stack: { value: unknown; depth: number }[] = [{ value, depth: 0 }];
  while (stack.length > 0) {
    const { value: current, depth } = stack.pop()!;
    if (typeof current !== 'object' || current === null) continue;
    if (depth >= limit) return true;
    for (const child of Array.isArray(current) ? current : Object.values(current)) {
      if (typeof child === 'object' && child !== null) stack.push({ value: child, depth: depth + 1 });
    }
  }
  return false;
}

/** The answer when anything went wrong: the pod is admitted as it is. */
export function admitUnchanged(uid: string): AdmissionReviewOut {
  return wrap({ uid, allowed: true });
}

function ignored(uid: string, reason: string): AdmissionOutcome {
  return { kind: 'reviewed', review: admitUnchanged(uid), decision: { kind: 'ignored', reason } };
}

function wrap(response: AdmissionResponse): AdmissionReviewOut {
  return { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response };
}
