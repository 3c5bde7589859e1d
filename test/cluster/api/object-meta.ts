// Pure: the metadata rules of create and update — names, generateName, uid, timestamps, generation, status isolation.
import { badRequest, invalid, type FieldError } from './status.ts';
import { deepClone, deepEqual, isJsonObject, toText, type JsonObject } from '../patch/json-value.ts';
import type { ResourceType } from '../resources/resource-type.ts';

export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  deletionGracePeriodSeconds?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  finalizers?: string[];
  ownerReferences?: OwnerReference[];
}

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

export function metaOf(obj: JsonObject): ObjectMeta {
  return (isJsonObject(obj.metadata) ? obj.metadata : {});
}

/** RFC 3339 with second precision, as the apiserver writes timestamps. */
export function formatTimestamp(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const QUALIFIED_NAME = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?$/;

export function validateName(type: ResourceType, name: string): FieldError[] {
  const bad = (detail: string): FieldError[] => [{ field: 'metadata.name', reason: 'FieldValueInvalid', message: `Invalid value: "${name}": ${detail}` }];
  if (type.group === 'rbac.authorization.k8s.io') {
    return name === '.' || name === '..' || /[/%]/.test(name) ? bad('may not contain \'/\' or \'%\'') : [];
  }
  if (type.resource === 'namespaces') {
    return name.length <= 63 && DNS_LABEL.test(name) ? [] : bad("a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')");
  }
  if (type.resource === 'services') {
    return name.length <= 63 && DNS_1035_LABEL.test(name) ? [] : bad("a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')");
  }
  return name.length <= 253 && DNS_SUBDOMAIN.test(name) ? [] : bad("a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')");
}

export function validateLabels(labels: unknown): FieldError[] {
  if (labels === undefined) return [];
  if (!isJsonObject(labels)) return [{ field: 'metadata.labels', reason: 'FieldValueTypeInvalid', message: 'Invalid value: must be a map of strings' }];
  const errors: FieldError[] = [];
  for (const [k, v] of Object.entries(labels)) {
    if (!QUALIFIED_NAME.test(k)) errors.push({ field: 'metadata.labels', reason: 'FieldValueInvalid', message: `Invalid value: "${k}": name part must consist of alphanumeric characters, '-', '_' or '.'` });
    if (typeof v !== 'string' || v.length > 63 || !LABEL_VALUE.test(v)) {
      errors.push({ field: 'metadata.labels', reason: 'FieldValueInvalid', message: `Invalid value: ${JSON.stringify(v)}: a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.'` });
    }
  }
  return errors;
}

export interface CreateContext {
  namespace: string | undefined;
  uid: string;
  now: string;
  /** Five characters appended to generateName. */
  suffix: string;
}

/** The object as it is stored on create: identity and timestamps set, status reset where it is a subresource. */
export function buildCreatedObject(type: ResourceType, body: JsonObject, ctx: CreateContext): JsonObject {
  const obj = deepClone(body);
  if (!isJsonObject(obj.metadata)) obj.metadata = {};
  const m = obj.metadata;
  if (m.resourceVersion !== undefined && m.resourceVersion !== '') throw badRequest('resourceVersion should not be set on objects to be created');
  if ((m.name === undefined || m.name === '') && typeof m.generateName === 'string' && m.generateName !== '') {
    m.name = `${m.generateName}${ctx.suffix}`;
  }
  if (typeof m.name !== 'string' || m.name === '') {
    throw invalid(type.kind, type.group, '', [{ field: 'metadata.name', reason: 'FieldValueRequired', message: 'Required value: name or generateName is required' }]);
  }
  if (type.namespaced) {
    if (m.namespace !== undefined && m.namespace !== '' && m.namespace !== ctx.namespace) {
      throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
    }
    m.namespace = ctx.namespace ?? '';
  } else {
    delete m.namespace;
  }
  const errors = [...validateName(type, m.name), ...validateLabels(m.labels)];
  if (errors.length > 0) throw invalid(type.kind, type.group, m.name, errors);
  m.uid = ctx.uid;
  m.creationTimestamp = ctx.now;
  delete m.resourceVersion;
  delete m.deletionTimestamp;
  delete m.deletionGracePeriodSeconds;
  delete m.selfLink;
  if (type.hasGeneration) m.generation = 1;
  else delete m.generation;
  if (type.subresources.status) delete obj.status;
  return obj;
}

/** The part of an object whose change bumps generation: all but metadata (and status when it is a subresource). */
function specPart(type: ResourceType, obj: JsonObject): JsonObject {
  const copy: JsonObject = { ...obj };
  delete copy.metadata;
  delete copy.apiVersion;
  delete copy.kind;
  if (type.subresources.status) delete copy.status;
  return copy;
}

/**
 * The object as it is stored on update. `subresource` is undefined for the main endpoint (status changes are
 * ignored when status is a subresource) or `status` (everything but status is ignored).
 */
export function buildUpdatedObject(type: ResourceType, old: JsonObject, body: JsonObject, subresource: 'status' | undefined): JsonObject {
  let obj: JsonObject;
  if (subresource === 'status') {
    obj = deepClone(old);
    if (body.status === undefined) delete obj.status;
    else obj.status = deepClone(body.status);
  } else {
    obj = deepClone(body);
    if (!isJsonObject(obj.metadata)) obj.metadata = {};
    if (type.subresources.status) {
      if (old.status === undefined) delete obj.status;
      else obj.status = deepClone(old.status);
    }
  }
  const m = obj.metadata as JsonObject;
  const o = old.metadata as JsonObject;
  for (const key of ['uid', 'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'generation', 'namespace', 'name']) {
    if (o[key] === undefined) delete m[key];
    else m[key] = o[key];
  }
  if (o.deletionTimestamp !== undefined) {
    const before = new Set((o.finalizers ?? []) as string[]);
    const added = ((m.finalizers ?? []) as string[]).filter((f) => !before.has(f));
    if (added.length > 0) {
      throw invalid(type.kind, type.group, toText(o.name), [{
        field: 'metadata.finalizers', reason: 'FieldValueForbidden',
        message: `Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{${added.map((f) => JSON.stringify(f)).join(', ')}}`,
      }]);
    }
  }
  if (Array.isArray(m.finalizers) && m.finalizers.length === 0) delete m.finalizers;
  const labelErrors = validateLabels(m.labels);
  if (labelErrors.length > 0) throw invalid(type.kind, type.group, toText(o.name), labelErrors);
  if (type.hasGeneration && !deepEqual(specPart(type, old), specPart(type, obj))) {
    m.generation = (typeof o.generation === 'number' ? o.generation : 0) + 1;
  }
  return obj;
}

/** True when an update changes nothing (the apiserver then keeps the resourceVersion and emits no event). */
export function isNoopUpdate(old: JsonObject, next: JsonObject): boolean {
  const strip = (o: JsonObject): JsonObject => {
    const c = deepClone(o);
    delete (c.metadata as JsonObject).resourceVersion;
    delete (c.metadata as JsonObject).managedFields;
    return c;
  };
  return deepEqual(strip(old), strip(next));
}
