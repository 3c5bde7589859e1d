// Checks a rendered object against the published schema of its kind, as the API server would: the Kubernetes OpenAPI
// schemas (kubernetes-models, and its cert-manager and prometheus-operator packages: types, required fields, enums,
// formats) plus, for built-in kinds, unknown field names as `kubectl apply --validate=strict` reports them (field names
// from @kubernetes/client-node's generated models, which come from the same OpenAPI document). Pure.
import * as clientNode from '@kubernetes/client-node';
import * as admissionregistrationV1 from 'kubernetes-models/admissionregistration.k8s.io/v1';
import * as apiextensionsV1 from 'kubernetes-models/apiextensions.k8s.io/v1';
import * as appsV1 from 'kubernetes-models/apps/v1';
import * as networkingV1 from 'kubernetes-models/networking.k8s.io/v1';
import * as policyV1 from 'kubernetes-models/policy/v1';
import * as rbacV1 from 'kubernetes-models/rbac.authorization.k8s.io/v1';
import * as coreV1 from 'kubernetes-models/v1';
import * as certManagerV1 from '@kubernetes-models/cert-manager/cert-manager.io/v1';
import * as monitoringV1 from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1';
import type { KubeObject } from './parse-manifests.ts';

/** apiVersion → the module whose exports are the model classes of that group/version, by kind. */
const SCHEMA_MODELS: Record<string, Record<string, unknown>> = {
  v1: coreV1,
  'apps/v1': appsV1,
  'policy/v1': policyV1,
  'rbac.authorization.k8s.io/v1': rbacV1,
  'admissionregistration.k8s.io/v1': admissionregistrationV1,
  'networking.k8s.io/v1': networkingV1,
  'apiextensions.k8s.io/v1': apiextensionsV1,
  'cert-manager.io/v1': certManagerV1,
  'monitoring.coreos.com/v1': monitoringV1,
};

/** Built-in groups: their objects are also checked for unknown fields (CRD kinds are checked by schema only). */
const BUILT_IN_API_VERSIONS = new Set(['v1', 'apps/v1', 'policy/v1', 'rbac.authorization.k8s.io/v1', 'admissionregistration.k8s.io/v1',
  'networking.k8s.io/v1', 'apiextensions.k8s.io/v1']);

interface SchemaModel { validate(): void }
type SchemaModelClass = new (data: unknown) => SchemaModel;

interface Attribute { baseName: string; type: string }
interface TypedModel { getAttributeTypeMap(): Attribute[] }

/** The problems found (empty when the object is valid), each naming the object and the field. */
export function validateObject(object: KubeObject): string[] {
  const label = `${object.kind}/${object.metadata.name}`;
  const Model = SCHEMA_MODELS[object.apiVersion]?.[object.kind];
  if (typeof Model !== 'function') return [`${label}: no published schema for ${object.apiVersion} ${object.kind}`];
  const problems: string[] = [];
  try {
    new (Model as SchemaModelClass)(structuredClone(object)).validate();
  } catch (error) {
    problems.push(`${label}: ${(error as Error).message}`);
  }
  if (BUILT_IN_API_VERSIONS.has(object.apiVersion)) {
    const version = object.apiVersion.split('/').at(-1)!;
    const rootType = `${version.charAt(0).toUpperCase()}${version.slice(1)}${object.kind}`;
    if (typedModel(rootType) === undefined) problems.push(`${label}: no field list for ${rootType}`);
    for (const path of findUnknownFields(object, rootType, '')) problems.push(`${label}: unknown field "${path}"`);
  }
  return problems;
}

function typedModel(name: string): TypedModel | undefined {
  const candidate = (clientNode as unknown as Record<string, unknown>)[name];
  if (typeof candidate !== 'function' || !('getAttributeTypeMap' in candidate)) return undefined;
  return candidate as unknown as TypedModel;
}

/** Paths of fields the type does not define, recursively (arrays and string-keyed maps included). */
export function findUnknownFields(value: unknown, type: string, path: string): string[] {
  const arrayItem = /^Array<(.+)>$/.exec(type);
  if (arrayItem !== null) {
    if (!Array.isArray(value)) return [];
    return value.flatMap((item, index) => findUnknownFields(item, arrayItem[1]!, `${path}[${index}]`));
  }
  const mapValue = /^\{ \[key: string\]: (.+); \}$/.exec(type);
  if (mapValue !== null) {
    if (!isPlainObject(value)) return [];
    return Object.entries(value).flatMap(([key, item]) => findUnknownFields(item, mapValue[1]!, `${path}.${key}`));
  }
  const model = typedModel(type);
  if (model === undefined || !isPlainObject(value)) return [];
  const attributes = new Map(model.getAttributeTypeMap().map((attribute) => [attribute.baseName, attribute.type]));
  return Object.entries(value).flatMap(([key, item]) => {
    const fieldPath = path === '' ? key : `${path}.${key}`;
    const fieldType = attributes.get(key);
    return fieldType === undefined ? [fieldPath] : findUnknownFields(item, fieldType, fieldPath);
  });
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
