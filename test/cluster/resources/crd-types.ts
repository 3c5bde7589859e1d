// Pure: a CustomResourceDefinition → the resource types it serves, its validation, and the status the apiserver reports.
import type { FieldError } from '../api/status.ts';
import type { JsonObject } from '../patch/json-value.ts';
import type { StructuralSchema } from '../schema/structural-schema.ts';
import type { PrinterColumn, ResourceType } from './resource-type.ts';

export interface CrdVersion {
  name: string;
  served: boolean;
  storage: boolean;
  schema?: { openAPIV3Schema?: StructuralSchema };
  subresources?: { status?: object; scale?: { specReplicasPath: string; statusReplicasPath: string; labelSelectorPath?: string } };
  additionalPrinterColumns?: PrinterColumn[];
  selectableFields?: { jsonPath: string }[];
}

export interface CrdNames {
  plural: string;
  singular?: string;
  kind: string;
  listKind?: string;
  shortNames?: string[];
  categories?: string[];
}

export interface Crd {
  metadata: { name: string };
  spec: { group: string; scope: 'Namespaced' | 'Cluster'; names: CrdNames; versions: CrdVersion[] };
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export function validateCrd(obj: JsonObject): FieldError[] {
  const errors: FieldError[] = [];
  const crd = obj as unknown as Partial<Crd>;
  const spec = crd.spec;
  const req = (field: string): void => { errors.push({ field, reason: 'FieldValueRequired', message: 'Required value' }); };
  if (spec === undefined) {
    req('spec');
    return errors;
  }
  if (typeof spec.group !== 'string' || spec.group === '') req('spec.group');
  else if (!spec.group.includes('.')) {
    errors.push({ field: 'spec.group', reason: 'FieldValueInvalid', message: `Invalid value: "${spec.group}": should be a domain with at least one dot` });
  }
  if (spec.scope !== 'Namespaced' && spec.scope !== 'Cluster') {
    errors.push({ field: 'spec.scope', reason: 'FieldValueNotSupported', message: `Unsupported value: "${String(spec.scope)}": supported values: "Cluster", "Namespaced"` });
  }
  const names = spec.names;
  if (names === undefined || typeof names.plural !== 'string' || names.plural === '') req('spec.names.plural');
  else if (!DNS_LABEL.test(names.plural)) {
    errors.push({ field: 'spec.names.plural', reason: 'FieldValueInvalid', message: `Invalid value: "${names.plural}": a lowercase RFC 1123 label is required` });
  }
  if (names === undefined || typeof names.kind !== 'string' || names.kind === '') req('spec.names.kind');
  if (names !== undefined && typeof spec.group === 'string' && crd.metadata?.name !== `${names.plural}.${spec.group}`) {
    errors.push({ field: 'metadata.name', reason: 'FieldValueInvalid', message: `Invalid value: "${crd.metadata?.name ?? ''}": must be spec.names.plural+"."+spec.group` });
  }
  const versions = spec.versions;
  if (!Array.isArray(versions) || versions.length === 0) {
    req('spec.versions');
  } else {
    const storage = versions.filter((v) => v.storage).length;
    if (storage !== 1) {
      errors.push({ field: 'spec.versions', reason: 'FieldValueInvalid', message: `Invalid value: ${JSON.stringify(versions.map((v) => v.name))}: must have exactly one version marked as storage version` });
    }
    versions.forEach((v, i) => {
      if (v.schema?.openAPIV3Schema === undefined) req(`spec.versions[${i}].schema.openAPIV3Schema`);
      else if (v.schema.openAPIV3Schema.type !== 'object') {
        errors.push({ field: `spec.versions[${i}].schema.openAPIV3Schema.type`, reason: 'FieldValueInvalid', message: 'Invalid value: "": must be object at the root' });
      }
    });
  }
  return errors;
}

const AGE_COLUMN: PrinterColumn = { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' };

export function buildCrdTypes(crd: Crd): ResourceType[] {
  const { group, names, scope } = crd.spec;
  return crd.spec.versions.filter((v) => v.served).map((v): ResourceType => {
    const t: ResourceType = {
      group,
      version: v.name,
      resource: names.plural,
      singular: names.singular ?? names.kind.toLowerCase(),
      kind: names.kind,
      listKind: names.listKind ?? `${names.kind}List`,
      namespaced: scope === 'Namespaced',
      shortNames: names.shortNames ?? [],
      categories: names.categories ?? [],
      verbs: ['delete', 'deletecollection', 'get', 'list', 'patch', 'create', 'update', 'watch'],
      storageKey: `${group}/${names.plural}`,
      subresources: { status: v.subresources?.status !== undefined },
      hasGeneration: true,
      returnDeletedObject: true,
      allowUnconditionalUpdate: false,
      selectableFields: (v.selectableFields ?? []).map((f) => f.jsonPath.replace(/^\./, '')),
      printerColumns: v.additionalPrinterColumns !== undefined && v.additionalPrinterColumns.length > 0 ? v.additionalPrinterColumns : [AGE_COLUMN],
      crdName: crd.metadata.name,
    };
    if (v.schema?.openAPIV3Schema !== undefined) t.schema = v.schema.openAPIV3Schema;
    if (v.subresources?.scale !== undefined) t.subresources.scale = v.subresources.scale;
    return t;
  });
}

/** The status the apiserver reports once it serves the CRD: names accepted, Established. */
export function buildCrdStatus(crd: Crd, now: string, previous: JsonObject | undefined): JsonObject {
  const prevConditions = (previous?.conditions ?? []) as { type: string; status: string; lastTransitionTime: string }[];
  const condition = (type: string, reason: string, message: string): JsonObject => {
    const prev = prevConditions.find((c) => c.type === type && c.status === 'True');
    return { type, status: 'True', lastTransitionTime: prev?.lastTransitionTime ?? now, reason, message };
  };
  const { names } = crd.spec;
  const accepted: JsonObject = { plural: names.plural, singular: names.singular ?? names.kind.toLowerCase(), kind: names.kind, listKind: names.listKind ?? `${names.kind}List` };
  if (names.shortNames !== undefined) accepted.shortNames = names.shortNames;
  if (names.categories !== undefined) accepted.categories = names.categories;
  const stored = new Set((previous?.storedVersions ?? []) as string[]);
  for (const v of crd.spec.versions) if (v.storage) stored.add(v.name);
  return {
    conditions: [
      condition('NamesAccepted', 'NoConflicts', 'no conflicts found'),
      condition('Established', 'InitialNamesAccepted', 'the initial names have been accepted'),
    ],
    acceptedNames: accepted,
    storedVersions: [...stored],
  };
}
