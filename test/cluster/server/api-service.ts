// The API operations (get, list, create, update, patch, delete) over the store: the pipeline, metadata rules,
// defaulting, CRD schemas, preconditions and finalizers. No HTTP here; controllers call it too.
import {
  alreadyExists, ApiError, badRequest, buildSuccessStatus, conflict, forbidden, gone, invalid, notFound,
  STALE_OBJECT, unsupportedMediaType, type FieldError, type Status,
} from '../api/status.ts';
import { buildCreatedObject, buildUpdatedObject, formatTimestamp, isNoopUpdate, metaOf } from '../api/object-meta.ts';
import { deepClone, isJsonObject, PatchError, toText, type JsonObject, type JsonValue } from '../patch/json-value.ts';
import { applyMergePatch } from '../patch/json-merge-patch.ts';
import { applyJsonPatch } from '../patch/json-patch.ts';
import { applyStrategicMergePatch } from '../patch/strategic-merge-patch.ts';
import { applyBuiltinDefaults } from '../resources/builtin-defaults.ts';
import { validateCrd } from '../resources/crd-types.ts';
import { validateWebhookConfiguration } from '../admission/webhook-configuration.ts';
import { apiVersionOf, type ResourceType } from '../resources/resource-type.ts';
import type { ResourceRegistry } from '../resources/registry.ts';
import { pruneObject } from '../schema/prune.ts';
import { applyDefaults } from '../schema/defaults.ts';
import { validateObject } from '../schema/validate.ts';
import { matchesLabels, type LabelSelector } from '../selectors/label-selector.ts';
import { matchesFields, type FieldSelector } from '../selectors/field-selector.ts';
import { decodeContinue, encodeContinue } from '../store/continue-token.ts';
import type { Store } from '../store/store.ts';
import type { AdmissionRequest, Pipeline, RequestAttributes, UserInfo } from './pipeline.ts';

export type PatchType = 'json' | 'merge' | 'strategic' | 'apply';
export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

export interface WriteOptions {
  user: UserInfo;
  /** The caller already authorized the request (e.g. as `deployments/scale`); skip the check on the main resource. */
  preAuthorized?: boolean;
  dryRun?: boolean;
  fieldValidation?: FieldValidation;
}

export interface WriteResult {
  object: JsonObject;
  warnings: string[];
  /** 201 for create, 200 for update/patch/finished delete, 202 for a delete waiting on finalizers. */
  code: number;
}

export interface DeleteOptions extends WriteOptions {
  propagationPolicy?: 'Orphan' | 'Background' | 'Foreground';
  preconditions?: { uid?: string; resourceVersion?: string };
  /** Pods only (with a node agent): seconds the kubelet gives the containers; 0 removes the pod at once. */
  gracePeriodSeconds?: number;
}

export interface ListOptions {
  labelSelector?: LabelSelector;
  fieldSelector?: FieldSelector;
  limit?: number;
  continueToken?: string;
}

export interface ListResult {
  items: JsonObject[];
  resourceVersion: string;
  continueToken?: string;
  remainingItemCount?: number;
}

const SUFFIX_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';
const SYSTEM_NAMESPACES = new Set(['default', 'kube-system', 'kube-public', 'kube-node-lease']);
const MAX_UNCONDITIONAL_RETRIES = 5;

export interface ApiServiceOptions {
  store: Store;
  registry: ResourceRegistry;
  pipeline: Pipeline;
  now?: () => Date;
}

export class ApiService {
  readonly store: Store;
  readonly registry: ResourceRegistry;
  readonly pipeline: Pipeline;
  private readonly now: () => Date;
  private nextClusterIP = 10;
  /** Set while a node agent runs: DELETE of a scheduled pod only marks it (deletionTimestamp + grace) and the agent removes it. */
  gracefulPodDeletion = false;

  constructor(options: ApiServiceOptions) {
    this.store = options.store;
    this.registry = options.registry;
    this.pipeline = options.pipeline;
    this.now = options.now ?? ((): Date => new Date());
  }

  /** The object as served by `type` (codec applied, apiVersion/kind set). */
  present(type: ResourceType, stored: JsonObject): JsonObject {
    if (type.codec !== undefined) return type.codec.fromStorage(stored);
    return { apiVersion: apiVersionOf(type), kind: type.kind, ...withoutTypeMeta(stored) };
  }

  /** The stored form of an object served as `type`. */
  toStorage(type: ResourceType, obj: JsonObject): JsonObject {
    if (type.codec !== undefined) return type.codec.toStorage(obj);
    return { apiVersion: apiVersionOf(type), kind: type.kind, ...withoutTypeMeta(obj) };
  }

  authorize(attrs: RequestAttributes): void {
    this.pipeline.authorize(attrs);
  }

  get(type: ResourceType, namespace: string | undefined, name: string): JsonObject {
    const stored = this.store.get(type.storageKey, type.namespaced ? namespace : undefined, name);
    if (stored === undefined) throw notFound(type, name);
    return this.present(type, stored);
  }

  list(type: ResourceType, namespace: string | undefined, options: ListOptions): ListResult {
    const rv = this.store.currentResourceVersion();
    let after = '';
    let listRv = rv;
    if (options.continueToken !== undefined && options.continueToken !== '') {
      const pos = decodeContinue(options.continueToken);
      if (pos === undefined) throw badRequest('continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
      if (pos.resourceVersion < this.store.oldestWatchableVersion()) {
        throw gone('The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.');
      }
      after = pos.after;
      listRv = pos.resourceVersion;
    }
    const all = this.store.list(type.storageKey, type.namespaced ? namespace : undefined)
      .filter((o) => after === '' || objectKey(o) > after)
      .map((o) => this.present(type, o))
      .filter((o) => (options.labelSelector === undefined || matchesLabels(options.labelSelector, metaOf(o).labels))
        && (options.fieldSelector === undefined || matchesFields(options.fieldSelector, o)));
    const limit = options.limit !== undefined && options.limit > 0 ? options.limit : undefined;
    if (limit === undefined || all.length <= limit) return { items: all, resourceVersion: String(listRv) };
    const items = all.slice(0, limit);
    const result: ListResult = {
      items, resourceVersion: String(listRv),
      continueToken: encodeContinue({ resourceVersion: listRv, after: objectKey(items[items.length - 1]!) }),
    };
    if (options.labelSelector === undefined && options.fieldSelector === undefined) result.remainingItemCount = all.length - limit;
    return result;
  }

  async create(type: ResourceType, namespace: string | undefined, body: JsonObject, options: WriteOptions): Promise<WriteResult> {
    this.checkTypeMeta(type, body);
    const name = metaOf(body).name ?? '';
    this.pipeline.authorize({ user: options.user, verb: 'create', type, namespace, name: undefined, subresource: undefined });
    if (type.namespaced) this.checkNamespaceWritable(type, namespace ?? '', name);
    const now = formatTimestamp(this.now());
    let obj = buildCreatedObject(type, this.toStorage(type, body), { namespace: type.namespaced ? namespace : undefined, uid: this.store.newUid(), now, suffix: randomSuffix() });
    applyBuiltinDefaults(type.resource, obj, true, { allocateClusterIP: () => this.allocateClusterIP() });
    const warnings = this.applySchema(type, obj, options.fieldValidation);
    const attrs: RequestAttributes = { user: options.user, verb: 'create', type, namespace, name: metaOf(obj).name, subresource: undefined };
    obj = await this.admit({ operation: 'CREATE', attributes: attrs, object: obj, oldObject: undefined, dryRun: options.dryRun === true }, type, warnings);
    const m = metaOf(obj);
    if (this.store.get(type.storageKey, m.namespace, m.name!) !== undefined) throw alreadyExists(type, m.name!);
    if (type.namespaced) this.checkNamespaceWritable(type, namespace ?? '', m.name!);
    const stored = options.dryRun === true ? obj : this.store.create(type.storageKey, obj);
    return { object: this.present(type, stored), warnings, code: 201 };
  }

  async update(type: ResourceType, namespace: string | undefined, name: string, body: JsonObject, subresource: 'status' | undefined, options: WriteOptions): Promise<WriteResult> {
    this.checkTypeMeta(type, body);
    const bodyMeta = metaOf(body);
    if (bodyMeta.name !== undefined && bodyMeta.name !== name) {
      throw badRequest(`the name of the object (${bodyMeta.name}) does not match the name on the URL (${name})`);
    }
    if (type.namespaced && bodyMeta.namespace !== undefined && bodyMeta.namespace !== '' && bodyMeta.namespace !== namespace) {
      throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
    }
    if (options.preAuthorized !== true) this.pipeline.authorize({ user: options.user, verb: 'update', type, namespace, name, subresource });
    const wanted = bodyMeta.resourceVersion;
    if ((wanted === undefined || wanted === '') && !type.allowUnconditionalUpdate) {
      throw invalid(type.kind, type.group, name, [{ field: 'metadata.resourceVersion', reason: 'FieldValueInvalid', message: 'Invalid value: 0x0: must be specified for an update' }]);
    }
    return this.guardedUpdate(type, namespace, name, subresource, options, () => body, wanted === '' ? undefined : wanted);
  }

  async patch(type: ResourceType, namespace: string | undefined, name: string, patchType: PatchType, patch: JsonValue, subresource: 'status' | undefined, options: WriteOptions): Promise<WriteResult> {
    if (patchType === 'apply') {
      throw unsupportedMediaType('the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json');
    }
    if (patchType === 'strategic' && type.crdName !== undefined) {
      throw unsupportedMediaType('the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json');
    }
    if (options.preAuthorized !== true) this.pipeline.authorize({ user: options.user, verb: 'patch', type, namespace, name, subresource });
    const patchRv = patchType !== 'json' && isJsonObject(patch) && isJsonObject(patch.metadata) && typeof patch.metadata.resourceVersion === 'string'
      ? patch.metadata.resourceVersion : undefined;
    return this.guardedUpdate(type, namespace, name, subresource, options, (current) => {
      try {
        const next = patchType === 'json' ? applyJsonPatch(current, patch)
          : patchType === 'merge' ? applyMergePatch(current, patch)
            : applyStrategicMergePatch(current, patch);
        if (!isJsonObject(next)) throw badRequest('the patch did not result in an object');
        return next;
      } catch (err) {
        if (err instanceof PatchError) {
          if (err.kind === 'malformed') throw badRequest(err.message);
          throw invalidPatch(err.message);
        }
        throw err;
      }
    }, patchRv);
  }

  /**
   * Reads the current object, builds the next one, runs admission and stores it if nothing changed meanwhile.
   * With `expectedRv` a concurrent change is a 409; without, the update is retried on the newer object.
   */
  private async guardedUpdate(type: ResourceType, namespace: string | undefined, name: string, subresource: 'status' | undefined,
    options: WriteOptions, build: (current: JsonObject) => JsonObject, expectedRv: string | undefined): Promise<WriteResult> {
    for (let attempt = 0; ; attempt++) {
      const ns = type.namespaced ? namespace : undefined;
      const stored = this.store.get(type.storageKey, ns, name);
      if (stored === undefined) throw notFound(type, name);
      const currentRv = metaOf(stored).resourceVersion;
      if (expectedRv !== undefined && expectedRv !== currentRv) throw conflict(type, name, STALE_OBJECT);
      const current = this.present(type, stored);
      const body = build(current);
      const bodyUid = metaOf(body).uid;
      if (bodyUid !== undefined && bodyUid !== '' && bodyUid !== metaOf(stored).uid) {
        throw conflict(type, name, `Precondition failed: UID in precondition: ${bodyUid}, UID in object meta: ${String(metaOf(stored).uid)}`);
      }
      let obj = buildUpdatedObject(type, stored, this.toStorage(type, body), subresource);
      if (subresource === undefined) applyBuiltinDefaults(type.resource, obj, false, { allocateClusterIP: () => this.allocateClusterIP() });
      const warnings = this.applySchema(type, obj, options.fieldValidation);
      const attrs: RequestAttributes = { user: options.user, verb: 'update', type, namespace, name, subresource };
      obj = await this.admit({ operation: 'UPDATE', attributes: attrs, object: obj, oldObject: stored, dryRun: options.dryRun === true }, type, warnings);
      const latest = this.store.get(type.storageKey, ns, name);
      if (latest === undefined) throw notFound(type, name);
      if (metaOf(latest).resourceVersion !== currentRv) {
        if (expectedRv !== undefined || attempt >= MAX_UNCONDITIONAL_RETRIES) throw conflict(type, name, STALE_OBJECT);
        continue;
      }
      if (options.dryRun === true || isNoopUpdate(stored, obj)) return { object: this.present(type, options.dryRun === true ? obj : stored), warnings, code: 200 };
      const m = metaOf(obj);
      // As the apiserver: an object marked for deletion goes once its finalizers are gone — unless it is still in its
      // grace period (a terminating pod, which the kubelet removes).
      if (m.deletionTimestamp !== undefined && (m.finalizers ?? []).length === 0 && !hasNamespaceFinalizers(type, obj) && (m.deletionGracePeriodSeconds ?? 0) === 0) {
        const removed = this.store.remove(type.storageKey, ns, name)!;
        return { object: this.present(type, removed), warnings, code: 200 };
      }
      return { object: this.present(type, this.store.update(type.storageKey, obj)), warnings, code: 200 };
    }
  }

  async delete(type: ResourceType, namespace: string | undefined, name: string, options: DeleteOptions): Promise<{ body: JsonObject | Status; code: number }> {
    if (options.preAuthorized !== true) this.pipeline.authorize({ user: options.user, verb: 'delete', type, namespace, name, subresource: undefined });
    const ns = type.namespaced ? namespace : undefined;
    const stored = this.store.get(type.storageKey, ns, name);
    if (stored === undefined) throw notFound(type, name);
    const m = metaOf(stored);
    const pre = options.preconditions;
    if (pre?.uid !== undefined && pre.uid !== m.uid) {
      throw conflict(type, name, `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${String(m.uid)}`);
    }
    if (pre?.resourceVersion !== undefined && pre.resourceVersion !== m.resourceVersion) {
      throw conflict(type, name, `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${String(m.resourceVersion)}`);
    }
    const attrs: RequestAttributes = { user: options.user, verb: 'delete', type, namespace, name, subresource: undefined };
    await this.admit({ operation: 'DELETE', attributes: attrs, object: undefined, oldObject: stored, dryRun: options.dryRun === true }, type, []);
    const policy = options.propagationPolicy ?? 'Background';
    const graceful = this.gracefulPodDeletionOf(type, stored, options);
    if (graceful !== undefined) return graceful;
    const finalizers = [...(m.finalizers ?? [])];
    if (m.deletionTimestamp === undefined || policy !== 'Background') {
      if (policy === 'Foreground' && !finalizers.includes('foregroundDeletion')) finalizers.push('foregroundDeletion');
      if (policy === 'Orphan' && !finalizers.includes('orphan')) finalizers.push('orphan');
    }
    if (finalizers.length > 0 || hasNamespaceFinalizers(type, stored)) {
      if (options.dryRun === true) return { body: this.present(type, stored), code: 202 };
      const next = deepClone(stored);
      const nm = next.metadata as JsonObject;
      if (nm.deletionTimestamp === undefined) {
        nm.deletionTimestamp = formatTimestamp(this.now());
        nm.deletionGracePeriodSeconds = 0;
        if (type.hasGeneration) nm.generation = (typeof nm.generation === 'number' ? nm.generation : 0) + 1;
      }
      if (finalizers.length > 0) nm.finalizers = finalizers;
      if (type.resource === 'namespaces') next.status = { ...(isJsonObject(next.status) ? next.status : {}), phase: 'Terminating' };
      const updated = isNoopUpdate(stored, next) ? stored : this.store.update(type.storageKey, next);
      return { body: this.present(type, updated), code: 202 };
    }
    const removed = options.dryRun === true ? stored : this.store.remove(type.storageKey, ns, name)!;
    if (type.returnDeletedObject) return { body: this.present(type, removed), code: 200 };
    const details: Status['details'] = { name, kind: type.resource, uid: String(m.uid) };
    if (type.group !== '') details.group = type.group;
    return { body: buildSuccessStatus(details), code: 200 };
  }

  /** Graceful pod deletion as the apiserver does it: deletionTimestamp = now + grace, the kubelet removes the pod. */
  private gracefulPodDeletionOf(type: ResourceType, stored: JsonObject, options: DeleteOptions): { body: JsonObject; code: number } | undefined {
    if (!this.gracefulPodDeletion || type.group !== '' || type.resource !== 'pods' || options.dryRun === true) return undefined;
    const spec = isJsonObject(stored.spec) ? stored.spec : {};
    const status = isJsonObject(stored.status) ? stored.status : {};
    const grace = options.gracePeriodSeconds ?? (typeof spec.terminationGracePeriodSeconds === 'number' ? spec.terminationGracePeriodSeconds : 30);
    if (typeof spec.nodeName !== 'string' || spec.nodeName === '' || grace <= 0 || status.phase === 'Succeeded' || status.phase === 'Failed') return undefined;
    const m = metaOf(stored);
    if (m.deletionTimestamp !== undefined && (m.deletionGracePeriodSeconds ?? 0) <= grace) return { body: this.present(type, stored), code: 200 };
    const next = deepClone(stored);
    const nm = next.metadata as JsonObject;
    nm.deletionTimestamp = formatTimestamp(new Date(this.now().getTime() + grace * 1000));
    nm.deletionGracePeriodSeconds = grace;
    const policy = options.propagationPolicy;
    const finalizers = [...(m.finalizers ?? [])];
    if (policy === 'Foreground' && !finalizers.includes('foregroundDeletion')) finalizers.push('foregroundDeletion');
    if (policy === 'Orphan' && !finalizers.includes('orphan')) finalizers.push('orphan');
    if (finalizers.length > 0) nm.finalizers = finalizers;
    return { body: this.present(type, this.store.update(type.storageKey, next)), code: 200 };
  }

  private checkTypeMeta(type: ResourceType, body: JsonObject): void {
    if (!isJsonObject(body)) throw badRequest('the body of the request must be a JSON object');
    const kind = body.kind;
    const apiVersion = body.apiVersion;
    if ((kind !== undefined && kind !== type.kind) || (apiVersion !== undefined && apiVersion !== apiVersionOf(type))) {
      throw badRequest(`the API version in the data (${toText(apiVersion)}) does not match the expected API version (${apiVersionOf(type)})`);
    }
  }

  private checkNamespaceWritable(type: ResourceType, namespace: string, name: string): void {
    const ns = this.store.get('/namespaces', undefined, namespace);
    if (ns === undefined) throw notFound({ group: '', resource: 'namespaces' }, namespace);
    if (metaOf(ns).deletionTimestamp !== undefined) {
      throw forbidden(type, name, `${type.resource}${type.group === '' ? '' : '.' + type.group} "${name}" is forbidden: unable to create new content in namespace ${namespace} because it is being terminated`);
    }
  }

  /** CRD pruning, defaulting and validation (and CRD-object validation); returns warnings for pruned fields. */
  private applySchema(type: ResourceType, obj: JsonObject, fieldValidation: FieldValidation | undefined): string[] {
    const name = metaOf(obj).name ?? '';
    if (type.resource === 'customresourcedefinitions' && type.group === 'apiextensions.k8s.io') {
      const errors = validateCrd(obj);
      if (errors.length > 0) throw invalid(type.kind, type.group, name, errors);
      return [];
    }
    if (type.group === 'admissionregistration.k8s.io' && (type.resource === 'mutatingwebhookconfigurations' || type.resource === 'validatingwebhookconfigurations')) {
      const errors = validateWebhookConfiguration(obj, type.resource === 'mutatingwebhookconfigurations');
      if (errors.length > 0) throw invalid(type.kind, type.group, name, errors);
      return [];
    }
    if (type.schema === undefined) return [];
    const pruned = pruneObject(obj, type.schema);
    const unknown = pruned.map((p) => `unknown field "${p}"`);
    if (fieldValidation === 'Strict' && unknown.length > 0) {
      throw new ApiError({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', code: 400, reason: 'BadRequest',
        message: `${type.kind} in version "${type.version}" cannot be handled as a ${type.kind}: strict decoding error: ${unknown.join(', ')}` });
    }
    applyDefaults(obj, type.schema);
    const errors: FieldError[] = validateObject(obj, type.schema);
    if (errors.length > 0) throw invalid(type.kind, type.group, name, errors);
    return fieldValidation === 'Ignore' ? [] : unknown;
  }

  private async admit(req: AdmissionRequest, type: ResourceType, warnings: string[]): Promise<JsonObject> {
    let obj = req.object;
    for (const hook of this.pipeline.mutating) {
      const out = await hook({ ...req, object: obj });
      obj = out.object ?? obj;
      warnings.push(...out.warnings);
    }
    if (obj !== undefined && req.object !== undefined && obj !== req.object) {
      // As the apiserver does after a webhook's patch: default again, then the schema (custom resources).
      if (req.attributes.subresource === undefined) applyBuiltinDefaults(type.resource, obj, false, { allocateClusterIP: () => this.allocateClusterIP() });
      this.applySchema(type, obj, 'Ignore');
    }
    for (const hook of this.pipeline.validating) {
      const out = await hook({ ...req, object: obj });
      warnings.push(...out.warnings);
    }
    return obj ?? {};
  }

  private allocateClusterIP(): string {
    const n = this.nextClusterIP++;
    return `127.96.${Math.floor(n / 256) % 256}.${n % 256}`;
  }

  /** Creates the namespaces every cluster starts with. */
  async bootstrap(user: UserInfo): Promise<void> {
    const namespaces = this.registry.find('', 'v1', 'namespaces')!;
    for (const name of SYSTEM_NAMESPACES) {
      if (this.store.get('/namespaces', undefined, name) === undefined) {
        await this.create(namespaces, undefined, { metadata: { name } }, { user });
      }
    }
  }
}

function withoutTypeMeta(obj: JsonObject): JsonObject {
  const copy = { ...obj };
  delete copy.apiVersion;
  delete copy.kind;
  return copy;
}

function objectKey(obj: JsonObject): string {
  const m = metaOf(obj);
  return `${m.namespace ?? ''}/${m.name ?? ''}`;
}

function hasNamespaceFinalizers(type: ResourceType, obj: JsonObject): boolean {
  if (type.resource !== 'namespaces' || type.group !== '') return false;
  const spec = obj.spec;
  return isJsonObject(spec) && Array.isArray(spec.finalizers) && spec.finalizers.length > 0;
}

function invalidPatch(message: string): ApiError {
  return new ApiError({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', code: 422, reason: 'Invalid', message });
}

function randomSuffix(): string {
  let s = '';
  for (let i = 0; i < 5; i++) s += SUFFIX_ALPHABET[Math.floor(Math.random() * SUFFIX_ALPHABET.length)];
  return s;
}
