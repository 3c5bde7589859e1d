// The admission webhook plug-in: reads the stored webhook configurations on every request, calls the matching
// mutating webhooks (by configuration name, reinvoking IfNeeded ones), then the validating ones, and applies
// failurePolicy. Matching and the AdmissionReview are pure (webhook-match.ts, admission-review.ts); the call is I/O.
import { randomUUID } from 'node:crypto';
import { ApiError } from '../api/status.ts';
import { metaOf } from '../api/object-meta.ts';
import { isJsonObject, type JsonObject } from '../patch/json-value.ts';
import type { ResourceRegistry } from '../resources/registry.ts';
import { apiVersionOf, type ResourceType } from '../resources/resource-type.ts';
import type { Store } from '../store/store.ts';
import type { AdmissionRequest, MutatingHook, ValidatingHook } from '../server/pipeline.ts';
import { buildAdmissionReview, buildCallFailedError, decideWebhookOutcome, WebhookCallError } from './admission-review.ts';
import type { Webhook } from './webhook-configuration.ts';
import { decideWebhookMatch, type MatchRequest } from './webhook-match.ts';
import { Agent } from 'node:https';
import { postAdmissionReview, type WebhookTarget } from './webhook-client.ts';

const GROUP = 'admissionregistration.k8s.io';
const MAX_TIMEOUT_SECONDS = 30;

export interface WebhookAdmissionOptions {
  store: Store;
  registry: ResourceRegistry;
  /** The object as `type` serves it (apiVersion/kind, codec). */
  present(type: ResourceType, stored: JsonObject): JsonObject;
  /** Back to the stored form. */
  toStorage(type: ResourceType, obj: JsonObject): JsonObject;
  /** Replaces the HTTPS call (unit tests). */
  call?: (target: WebhookTarget, review: JsonObject) => Promise<unknown>;
}

interface Entry {
  configName: string;
  webhook: Webhook;
}

function labelsOf(obj: JsonObject | undefined): Record<string, string> | undefined {
  return obj === undefined ? undefined : (metaOf(obj).labels ?? {});
}

function badRequest(message: string): ApiError {
  return new ApiError({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason: 'BadRequest', code: 400 });
}

export class WebhookAdmission {
  private readonly options: WebhookAdmissionOptions;
  /** Connections to webhook servers are kept open between calls (the agent keys them by host, port, CA and name). */
  private readonly agent = new Agent({ keepAlive: true, keepAliveMsecs: 1000, maxFreeSockets: 4, timeout: 30_000 });

  constructor(options: WebhookAdmissionOptions) {
    this.options = options;
  }

  /** Closes the kept-open connections (cluster stop). */
  close(): void {
    this.agent.destroy();
  }

  readonly mutating: MutatingHook = async (req) => {
    let object = req.object;
    const warnings: string[] = [];
    const entries = this.entries('mutatingwebhookconfigurations');
    const afterCall = new Map<string, string>();
    const run = async (e: Entry): Promise<boolean> => {
      const out = await this.invoke(e.webhook, { ...req, object }, true);
      if (out === undefined) return false;
      warnings.push(...out.warnings);
      object = out.object;
      return true;
    };
    for (const e of entries) {
      if (await run(e) && e.webhook.reinvocationPolicy === 'IfNeeded') afterCall.set(e.webhook.name, JSON.stringify(object));
    }
    // Reinvocation: an IfNeeded webhook runs once more if the object changed after its call.
    for (const e of entries) {
      const seen = afterCall.get(e.webhook.name);
      if (seen !== undefined && seen !== JSON.stringify(object)) await run(e);
    }
    return { object, warnings };
  };

  readonly validating: ValidatingHook = async (req) => {
    const warnings: string[] = [];
    for (const e of this.entries('validatingwebhookconfigurations')) {
      const out = await this.invoke(e.webhook, req, false);
      if (out !== undefined) warnings.push(...out.warnings);
    }
    return { warnings };
  };

  private entries(resource: string): Entry[] {
    const configs = this.options.store.list(`${GROUP}/${resource}`)
      .sort((a, b) => (metaOf(a).name! < metaOf(b).name! ? -1 : metaOf(a).name! > metaOf(b).name! ? 1 : 0));
    const out: Entry[] = [];
    for (const c of configs) {
      for (const w of Array.isArray(c.webhooks) ? c.webhooks : []) {
        if (isJsonObject(w)) out.push({ configName: metaOf(c).name!, webhook: w as unknown as Webhook });
      }
    }
    return out;
  }

  private matchRequest(req: AdmissionRequest, object: JsonObject | undefined): MatchRequest {
    const t = req.attributes.type;
    const namespace = t.namespaced ? (req.attributes.namespace ?? '') : '';
    let namespaceLabels: Record<string, string> | undefined;
    if (t.group === '' && t.resource === 'namespaces') namespaceLabels = labelsOf(object ?? req.oldObject);
    else if (namespace !== '') namespaceLabels = labelsOf(this.options.store.get('/namespaces', undefined, namespace));
    return {
      operation: req.operation,
      resource: { group: t.group, version: t.version, resource: t.resource },
      subresource: req.attributes.subresource ?? '',
      namespace,
      equivalents: this.options.registry.sharingStorage(t.storageKey).filter((o) => o !== t)
        .map((o) => ({ group: o.group, version: o.version, resource: o.resource })),
      namespaceLabels,
      objectLabels: labelsOf(object),
      oldObjectLabels: labelsOf(req.oldObject),
    };
  }

  /** Calls one webhook if it matches; undefined when it does not match or failed open. Throws on denial / fail-closed. */
  private async invoke(webhook: Webhook, req: AdmissionRequest, mutating: boolean): Promise<{ object: JsonObject | undefined; warnings: string[] } | undefined> {
    const match = decideWebhookMatch(webhook, this.matchRequest(req, req.object));
    if (!match.matches) return undefined;
    if (req.dryRun && webhook.sideEffects !== 'None' && webhook.sideEffects !== 'NoneOnDryRun') {
      throw badRequest(`admission webhook "${webhook.name}" does not support dry run`);
    }
    const t = req.attributes.type;
    const seenAs = match.resource === undefined || (match.resource.group === t.group && match.resource.version === t.version && match.resource.resource === t.resource)
      ? t : this.options.registry.find(match.resource.group, match.resource.version, match.resource.resource) ?? t;
    const uid = randomUUID();
    const review = buildAdmissionReview({
      uid, operation: req.operation,
      resource: { group: seenAs.group, version: seenAs.version, resource: seenAs.resource }, kind: seenAs.kind,
      requestResource: { group: t.group, version: t.version, resource: t.resource }, requestKind: t.kind,
      subresource: req.attributes.subresource ?? '',
      name: req.attributes.name ?? '',
      namespace: t.namespaced ? (req.attributes.namespace ?? '') : '',
      userInfo: { username: req.attributes.user.username, groups: req.attributes.user.groups, ...(req.attributes.user.uid === undefined ? {} : { uid: req.attributes.user.uid }) },
      object: req.object === undefined ? undefined : this.options.present(seenAs, req.object),
      oldObject: req.oldObject === undefined ? undefined : this.options.present(seenAs, req.oldObject),
      dryRun: req.dryRun,
      options: buildOperationOptions(req),
    });
    const ignore = webhook.failurePolicy === 'Ignore';
    try {
      const target = this.resolveTarget(webhook);
      const call = this.options.call ?? ((to: WebhookTarget, review: JsonObject) => postAdmissionReview(to, review, this.agent));
      const body = await call(target, review);
      const request = review.request as JsonObject;
      const outcome = decideWebhookOutcome(webhook.name, uid, body as JsonObject, request.object === null ? undefined : request.object as JsonObject, mutating);
      if (outcome.kind === 'denied') throw outcome.error;
      const object = outcome.patched && outcome.object !== undefined ? this.options.toStorage(seenAs, { ...outcome.object, apiVersion: apiVersionOf(seenAs), kind: seenAs.kind }) : req.object;
      return { object, warnings: outcome.warnings };
    } catch (err) {
      if (err instanceof WebhookCallError) {
        if (ignore) return undefined;
        throw buildCallFailedError(webhook.name, err.message);
      }
      throw err;
    }
  }

  /** The webhook's URL, or its Service resolved through the Service's Endpoints to one address of this cluster. */
  resolveTarget(webhook: Webhook): WebhookTarget {
    const cc = webhook.clientConfig;
    const caPem = cc.caBundle !== undefined && cc.caBundle !== '' ? Buffer.from(cc.caBundle, 'base64').toString('utf8') : undefined;
    const timeoutMs = Math.min(webhook.timeoutSeconds ?? 10, MAX_TIMEOUT_SECONDS) * 1000;
    if (cc.url !== undefined && cc.url !== '') {
      const url = new URL(cc.url);
      return { url, displayUrl: cc.url, serverName: url.hostname.replace(/^\[|\]$/g, ''), caPem, timeoutMs };
    }
    const ref = cc.service;
    if (ref === undefined) throw new WebhookCallError('neither url nor service is set');
    const port = ref.port ?? 443;
    const path = ref.path ?? '';
    const host = `${ref.name}.${ref.namespace}.svc`;
    const displayUrl = `https://${host}:${port}${path}`;
    const svc = this.options.store.get('/services', ref.namespace, ref.name);
    if (svc === undefined) throw new WebhookCallError(`failed to call webhook: Post "${displayUrl}?timeout=${timeoutMs / 1000}s": service "${ref.name}" not found`);
    const spec = isJsonObject(svc.spec) ? svc.spec : {};
    const svcPorts = (Array.isArray(spec.ports) ? spec.ports : []).filter(isJsonObject);
    const svcPort = svcPorts.find((p) => p.port === port);
    if (svcPort === undefined) throw new WebhookCallError(`failed to call webhook: Post "${displayUrl}?timeout=${timeoutMs / 1000}s": service "${ref.name}" has no port ${port}`);
    const endpoint = pickEndpoint(this.options.store.get('/endpoints', ref.namespace, ref.name), typeof svcPort.name === 'string' ? svcPort.name : '');
    if (endpoint === undefined) throw new WebhookCallError(`failed to call webhook: Post "${displayUrl}?timeout=${timeoutMs / 1000}s": no endpoints available for service "${ref.name}"`);
    return { url: new URL(`https://${endpoint.ip}:${endpoint.port}${path}`), displayUrl, serverName: host, caPem, timeoutMs };
  }
}

/** The first ready address of the Endpoints subset that carries the Service port's name (or its only port). */
export function pickEndpoint(endpoints: JsonObject | undefined, portName: string): { ip: string; port: number } | undefined {
  if (endpoints === undefined || !Array.isArray(endpoints.subsets)) return undefined;
  for (const subset of endpoints.subsets.filter(isJsonObject)) {
    const ports = (Array.isArray(subset.ports) ? subset.ports : []).filter(isJsonObject);
    const port = ports.find((p) => (p.name ?? '') === portName) ?? (ports.length === 1 ? ports[0] : undefined);
    const address = (Array.isArray(subset.addresses) ? subset.addresses : []).filter(isJsonObject).find((a) => typeof a.ip === 'string');
    if (port !== undefined && typeof port.port === 'number' && address !== undefined) return { ip: address.ip as string, port: port.port };
  }
  return undefined;
}

function buildOperationOptions(req: AdmissionRequest): JsonObject {
  if (req.options !== undefined) return req.options;
  const kind = req.operation === 'CREATE' ? 'CreateOptions' : req.operation === 'UPDATE' ? 'UpdateOptions' : 'DeleteOptions';
  const options: JsonObject = { kind, apiVersion: 'meta.k8s.io/v1' };
  if (req.dryRun) options.dryRun = ['All'];
  return options;
}
