// Pure: strategic merge patch for built-in types — keyed list merges, $patch directives, $setElementOrder, $retainKeys.
import { deepClone, deepEqual, isJsonObject, PatchError, type JsonObject, type JsonValue } from './json-value.ts';
import { listStrategyFor } from './strategic-merge-keys.ts';

const ORDER_PREFIX = '$setElementOrder/';
const DELETE_PRIMITIVE_PREFIX = '$deleteFromPrimitiveList/';

export function applyStrategicMergePatch(target: JsonValue, patch: JsonValue): JsonValue {
  if (!isJsonObject(patch)) throw new PatchError('malformed', 'strategic merge patch must be a JSON object');
  return mergeMap(isJsonObject(target) ? target : {}, patch, []);
}

function mergeMap(original: JsonObject, patch: JsonObject, path: string[]): JsonValue {
  const directive = patch.$patch;
  if (directive === 'replace') {
    const copy = { ...patch };
    delete copy.$patch;
    return stripDirectives(copy);
  }
  if (directive === 'delete') return null;
  const result: JsonObject = { ...original };
  const retainKeys = patch.$retainKeys;
  for (const [key, value] of Object.entries(patch)) {
    if (key === '$patch' || key === '$retainKeys' || key.startsWith(ORDER_PREFIX)) continue;
    if (key.startsWith(DELETE_PRIMITIVE_PREFIX)) {
      const field = key.slice(DELETE_PRIMITIVE_PREFIX.length);
      const current = result[field];
      if (Array.isArray(current) && Array.isArray(value)) {
        result[field] = current.filter((item) => !value.some((v) => deepEqual(v, item)));
      }
      continue;
    }
    if (value === null) {
      delete result[key];
      continue;
    }
    const childPath = [...path, key];
    const current = result[key];
    if (isJsonObject(value)) {
      const merged = mergeMap(isJsonObject(current) ? current : {}, value, childPath);
      if (merged === null) delete result[key];
      else result[key] = merged;
    } else if (Array.isArray(value)) {
      const order = patch[ORDER_PREFIX + key];
      result[key] = mergeList(Array.isArray(current) ? current : [], value, childPath, Array.isArray(order) ? order : undefined);
    } else {
      result[key] = value;
    }
  }
  for (const [key, order] of Object.entries(patch)) {
    if (!key.startsWith(ORDER_PREFIX)) continue;
    const field = key.slice(ORDER_PREFIX.length);
    if (Object.hasOwn(patch, field)) continue;
    const current = result[field];
    if (Array.isArray(current) && Array.isArray(order)) result[field] = reorder(current, order, listStrategyFor([...path, field]));
  }
  if (Array.isArray(retainKeys)) {
    for (const key of Object.keys(result)) if (!retainKeys.includes(key)) delete result[key];
  }
  return result;
}

function mergeList(original: JsonValue[], patch: JsonValue[], path: string[], order: JsonValue[] | undefined): JsonValue[] {
  const strategy = listStrategyFor(path);
  if (patch.some((item) => isJsonObject(item) && item.$patch === 'replace')) {
    return patch.filter((item) => !(isJsonObject(item) && item.$patch === 'replace')).map(stripDirectives);
  }
  let result: JsonValue[];
  if (strategy.kind === 'replace') {
    result = patch.map(stripDirectives);
  } else if (strategy.kind === 'merge-primitive') {
    result = [...original];
    for (const item of patch) if (!result.some((x) => deepEqual(x, item))) result.push(item);
  } else {
    const key = strategy.key;
    result = original.map((x) => deepClone(x));
    for (const item of patch) {
      if (!isJsonObject(item)) throw new PatchError('malformed', `${path.join('.')}: list items must be objects`);
      const keyValue = item[key];
      if (keyValue === undefined) throw new PatchError('malformed', `map: ${JSON.stringify(item)} does not contain declared merge key: ${key}`);
      const index = result.findIndex((x) => isJsonObject(x) && deepEqual(x[key], keyValue));
      if (item.$patch === 'delete') {
        if (index >= 0) result.splice(index, 1);
        continue;
      }
      if (index >= 0) {
        const merged = mergeMap(result[index] as JsonObject, item, path);
        if (merged === null) result.splice(index, 1);
        else result[index] = merged;
      } else {
        result.push(stripDirectives(item));
      }
    }
  }
  return order === undefined ? result : reorder(result, order, strategy);
}

function reorder(list: JsonValue[], order: JsonValue[], strategy: ReturnType<typeof listStrategyFor>): JsonValue[] {
  const identity = (x: JsonValue): JsonValue => (strategy.kind === 'merge-key' && isJsonObject(x) ? (x[strategy.key] ?? null) : x);
  const position = (x: JsonValue): number => order.findIndex((o) => deepEqual(identity(o), identity(x)));
  const listed = list.filter((x) => position(x) >= 0).sort((a, b) => position(a) - position(b));
  return [...listed, ...list.filter((x) => position(x) < 0)];
}

function stripDirectives(v: JsonValue): JsonValue {
  if (Array.isArray(v)) return v.map(stripDirectives);
  if (!isJsonObject(v)) return v;
  const out: JsonObject = {};
  for (const [k, x] of Object.entries(v)) {
    if (k === '$patch' || k === '$retainKeys' || k.startsWith(ORDER_PREFIX) || k.startsWith(DELETE_PRIMITIVE_PREFIX)) continue;
    out[k] = stripDirectives(x);
  }
  return out;
}
