// RFC 6902 JSON patch from a pod and its mutated copy, by structural diff (the webhook's answer). Pure.
// Objects are diffed key by key; an array that only grew gets one `add` per new item; any other changed
// array is replaced whole (the webhook only appends containers, so patches stay small and exact).
import { definedKeys, isJsonEqual, isJsonObject } from '../kube/json.ts';

export type JsonPatchOperation =
  | { op: 'add'; path: string; value: unknown }
  | { op: 'replace'; path: string; value: unknown }
  | { op: 'remove'; path: string };

/** RFC 6901: `~` becomes `~0` and `/` becomes `~1` (annotation keys such as tapr.io/injected contain `/`). */
export function escapePointerToken(token: string): string {
  return token.replaceAll('~', '~0').replaceAll('/', '~1');
}

export function buildPodPatch(original: unknown, mutated: unknown): JsonPatchOperation[] {
  const operations: JsonPatchOperation[] = [];
  diff(original, mutated, '', operations);
  return operations;
}

function diff(before: unknown, after: unknown, path: string, out: JsonPatchOperation[]): void {
  if (isJsonObject(before) && isJsonObject(after)) {
    for (const key of definedKeys(before)) {
      if (after[key] === undefined) out.push({ op: 'remove', path: `${path}/${escapePointerToken(key)}` });
    }
    for (const key of definedKeys(after)) {
      const childPath = `${path}/${escapePointerToken(key)}`;
      if (before[key] === undefined) out.push({ op: 'add', path: childPath, value: toJson(after[key]) });
      else diff(before[key], after[key], childPath, out);
    }
    return;
  }
  if (Array.isArray(before) && Array.isArray(after)) {
    const grewOnly = after.length >= before.length && before.every((item, index) => isJsonEqual(item, after[index]));
    if (grewOnly) {
      for (let index = before.length; index < after.length; index += 1) {
        out.push({ op: 'add', path: `${path}/${index}`, value: toJson(after[index]) });
      }
      return;
    }
  }
  if (!isJsonEqual(before, after)) {
    out.push({ op: 'replace', path, value: toJson(after) });
  }
}

/** A deep copy without `undefined` properties, so the patch is exactly what JSON.stringify will send. */
function toJson(value: unknown): unknown {
  return value === undefined ? null : JSON.parse(JSON.stringify(value)) as unknown;
}
