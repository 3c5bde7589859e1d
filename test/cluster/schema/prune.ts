// Pure: removes fields a structural schema does not specify (CRD pruning), reporting the removed paths.
import { isJsonObject, type JsonObject, type JsonValue } from '../patch/json-value.ts';
import { childPath, type StructuralSchema } from './structural-schema.ts';

const ROOT_KEPT = new Set(['apiVersion', 'kind', 'metadata']);

/** Prunes `obj` in place; returns the paths of the removed fields (`spec.unknown`). */
export function pruneObject(obj: JsonObject, schema: StructuralSchema): string[] {
  const pruned: string[] = [];
  pruneMap(obj, schema, '', pruned, true);
  return pruned;
}

function pruneValue(value: JsonValue, schema: StructuralSchema | undefined, path: string, pruned: string[]): void {
  if (schema === undefined) return;
  if (isJsonObject(value)) {
    if (schema['x-kubernetes-embedded-resource'] === true) {
      pruneMap(value, schema, path, pruned, true);
    } else {
      pruneMap(value, schema, path, pruned, false);
    }
  } else if (Array.isArray(value)) {
    value.forEach((item, i) => pruneValue(item, schema.items, childPath(path, i), pruned));
  }
}

function pruneMap(obj: JsonObject, schema: StructuralSchema, path: string, pruned: string[], isRoot: boolean): void {
  const preserve = schema['x-kubernetes-preserve-unknown-fields'] === true;
  const additional = schema.additionalProperties;
  for (const key of Object.keys(obj)) {
    if (isRoot && ROOT_KEPT.has(key)) continue;
    const propSchema = schema.properties?.[key];
    if (propSchema !== undefined) {
      pruneValue(obj[key]!, propSchema, childPath(path, key), pruned);
    } else if (typeof additional === 'object') {
      pruneValue(obj[key]!, additional, childPath(path, key), pruned);
    } else if (!preserve && additional !== true) {
      delete obj[key];
      pruned.push(childPath(path, key));
    }
  }
}
