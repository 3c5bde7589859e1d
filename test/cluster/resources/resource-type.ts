// Pure: the description of one served resource (built-in or defined by a CRD) that every layer reads.
import type { StructuralSchema } from '../schema/structural-schema.ts';
import type { JsonObject } from '../patch/json-value.ts';

export interface PrinterColumn {
  name: string;
  type: string;
  format?: string;
  description?: string;
  priority?: number;
  jsonPath: string;
}

export interface ScaleSubresource {
  specReplicasPath: string;
  statusReplicasPath: string;
  labelSelectorPath?: string;
}

/** Converts between a served version's representation and the stored one (e.g. events.k8s.io/v1 ↔ core v1). */
export interface Codec {
  toStorage(obj: JsonObject): JsonObject;
  fromStorage(obj: JsonObject): JsonObject;
}

export interface ResourceType {
  group: string;
  version: string;
  /** Plural, lower case: `deployments`. */
  resource: string;
  singular: string;
  kind: string;
  listKind: string;
  namespaced: boolean;
  shortNames: string[];
  categories: string[];
  verbs: string[];
  /** Objects of different served types that share storage have the same key (`events` in two groups). */
  storageKey: string;
  subresources: { status: boolean; scale?: ScaleSubresource };
  /** metadata.generation is maintained (bumped when anything but metadata and status changes). */
  hasGeneration: boolean;
  /** DELETE answers the object rather than a Success Status. */
  returnDeletedObject: boolean;
  /** PUT without metadata.resourceVersion is allowed (false for custom resources). */
  allowUnconditionalUpdate: boolean;
  /** Fields a fieldSelector may use besides metadata.name/metadata.namespace. */
  selectableFields: string[];
  /** Present for custom resources: the version's structural schema. */
  schema?: StructuralSchema;
  printerColumns?: PrinterColumn[];
  codec?: Codec;
  /** For custom resources: the CRD's name. */
  crdName?: string;
}

export function apiVersionOf(t: Pick<ResourceType, 'group' | 'version'>): string {
  return t.group === '' ? t.version : `${t.group}/${t.version}`;
}
