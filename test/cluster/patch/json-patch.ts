// Pure: JSON patch (RFC 6902), the application/json-patch+json patch type.
import { deepClone, deepEqual, isJsonObject, PatchError, type JsonValue } from './json-value.ts';

interface Operation {
  op: string;
  path: string;
  from?: string;
  value?: JsonValue;
}

function parsePointer(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw new PatchError('malformed', `invalid JSON pointer "${pointer}"`);
  return pointer.slice(1).split('/').map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function resolveParent(doc: JsonValue, tokens: string[], pointer: string): { parent: JsonValue; last: string } {
  let cur = doc;
  for (const t of tokens.slice(0, -1)) {
    const next: JsonValue | undefined = Array.isArray(cur) ? cur[Number(t)] : isJsonObject(cur) ? cur[t] : undefined;
    if (next === undefined) throw new PatchError('cannot-apply', `doc is missing path: "${pointer}": missing value`);
    cur = next;
  }
  return { parent: cur, last: tokens[tokens.length - 1]! };
}

function arrayIndex(arr: JsonValue[], token: string, allowEnd: boolean, pointer: string): number {
  if (token === '-' && allowEnd) return arr.length;
  const i = Number(token);
  const max = allowEnd ? arr.length : arr.length - 1;
  if (!/^\d+$/.test(token) || i > max) throw new PatchError('cannot-apply', `index out of range in "${pointer}"`);
  return i;
}

function get(doc: JsonValue, pointer: string): JsonValue {
  const tokens = parsePointer(pointer);
  if (tokens.length === 0) return doc;
  const { parent, last } = resolveParent(doc, tokens, pointer);
  const v = Array.isArray(parent) ? parent[arrayIndex(parent, last, false, pointer)] : isJsonObject(parent) ? parent[last] : undefined;
  if (v === undefined) throw new PatchError('cannot-apply', `doc is missing key: "${pointer}": missing value`);
  return v;
}

function remove(doc: JsonValue, pointer: string): JsonValue {
  const tokens = parsePointer(pointer);
  const { parent, last } = resolveParent(doc, tokens, pointer);
  if (Array.isArray(parent)) {
    return parent.splice(arrayIndex(parent, last, false, pointer), 1)[0]!;
  }
  if (!isJsonObject(parent) || !Object.hasOwn(parent, last)) {
    throw new PatchError('cannot-apply', `unable to remove nonexistent key: ${last}: missing value`);
  }
  const old = parent[last]!;
  delete parent[last];
  return old;
}

function add(doc: JsonValue, pointer: string, value: JsonValue, replace: boolean): JsonValue {
  const tokens = parsePointer(pointer);
  if (tokens.length === 0) return value;
  const { parent, last } = resolveParent(doc, tokens, pointer);
  if (Array.isArray(parent)) {
    const i = arrayIndex(parent, last, !replace, pointer);
    parent.splice(i, replace ? 1 : 0, value);
  } else if (isJsonObject(parent)) {
    if (replace && !Object.hasOwn(parent, last)) {
      throw new PatchError('cannot-apply', `replace operation does not apply: doc is missing key: ${pointer}: missing value`);
    }
    parent[last] = value;
  } else {
    throw new PatchError('cannot-apply', `doc is missing path: "${pointer}": missing value`);
  }
  return doc;
}

export function applyJsonPatch(target: JsonValue, patch: unknown): JsonValue {
  if (!Array.isArray(patch)) throw new PatchError('malformed', 'json patch must be an array of operations');
  let doc = deepClone(target);
  for (const raw of patch as unknown[]) {
    if (!isJsonObject(raw) || typeof raw.op !== 'string' || typeof raw.path !== 'string') {
      throw new PatchError('malformed', 'each json patch operation needs "op" and "path"');
    }
    const op = raw as unknown as Operation;
    const needsValue = op.op === 'add' || op.op === 'replace' || op.op === 'test';
    if (needsValue && op.value === undefined) throw new PatchError('malformed', `${op.op} operation needs a "value"`);
    switch (op.op) {
      case 'add': doc = add(doc, op.path, deepClone(op.value!), false); break;
      case 'replace': doc = add(doc, op.path, deepClone(op.value!), true); break;
      case 'remove': remove(doc, op.path); break;
      case 'test':
        if (!deepEqual(get(doc, op.path), op.value)) throw new PatchError('cannot-apply', `testing value ${op.path} failed: test failed`);
        break;
      case 'move': {
        if (op.from === undefined) throw new PatchError('malformed', 'move operation needs "from"');
        const v = remove(doc, op.from);
        doc = add(doc, op.path, v, false);
        break;
      }
      case 'copy': {
        if (op.from === undefined) throw new PatchError('malformed', 'copy operation needs "from"');
        doc = add(doc, op.path, deepClone(get(doc, op.from)), false);
        break;
      }
      default: throw new PatchError('malformed', `Unexpected kind: ${op.op}`);
    }
  }
  return doc;
}
