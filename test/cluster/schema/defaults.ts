// Pure: applies structural-schema defaults to an object (in place), after pruning, as the apiserver does.
import { deepClone, isJsonObject, type JsonObject, type JsonValue } from '../patch/json-value.ts';
import type { StructuralSchema } from './structural-schema.ts';

export function applyDefaults(value: JsonValue, schema: StructuralSchema | undefined): void {
  if (schema === undefined) return;
  if (isJsonObject(value)) {
    defaultMap(value, schema);
  } else if (Array.isArray(value)) {
    for (const item of value) applyDefaults(item, schema.items);
  }
}

function defaultMap(obj: JsonObject, schema: StructuralSchema): void {
  for (const [key, prop] of Object.entries(schema.properties ?? {})) {
    if (obj[key] === null && prop.nullable !== true) delete obj[key];
    if (obj[key] === undefined && prop.default !== undefined) obj[key] = deepClone(prop.default);
    if (obj[key] !== undefined) applyDefaults(obj[key], prop);
  }
  const additional = schema.additionalProperties;
  if (typeof additional === 'object') {
    for (const key of Object.keys(obj)) {
      if (schema.properties?.[key] === undefined) applyDefaults(obj[key]!, additional);
    }
  }
}
