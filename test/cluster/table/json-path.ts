// Pure: the simple JSONPath subset printer columns use (`.spec.a`, `.items[0].b`, `.metadata.labels['x/y']`).
import { isJsonObject, type JsonValue } from '../patch/json-value.ts';

export function readJsonPath(obj: JsonValue, path: string): JsonValue | undefined {
  const trimmed = path.replace(/^\{|\}$/g, '').replace(/^\$/, '');
  const tokens: (string | number)[] = [];
  const re = /\.([^.[\]]+)|\[(\d+)\]|\['([^']*)'\]|\["([^"]*)"\]/gy;
  let m: RegExpExecArray | null;
  while (re.lastIndex < trimmed.length && (m = re.exec(trimmed)) !== null) {
    if (m[1] !== undefined) tokens.push(m[1]);
    else if (m[2] !== undefined) tokens.push(Number(m[2]));
    else tokens.push(m[3] ?? m[4] ?? '');
  }
  let cur: JsonValue | undefined = obj;
  for (const t of tokens) {
    if (typeof t === 'number') cur = Array.isArray(cur) ? cur[t] : undefined;
    else cur = isJsonObject(cur) ? cur[t] : undefined;
    if (cur === undefined) return undefined;
  }
  return cur;
}

/** The apiserver's HumanDuration: 45s, 3m20s, 15m, 5h10m, 3d4h, 400d, 2y30d. */
export function humanDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) return seconds % 60 === 0 ? `${minutes}m` : `${minutes}m${seconds % 60}s`;
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 8) return minutes % 60 === 0 ? `${hours}h` : `${hours}h${minutes % 60}m`;
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) return hours % 24 === 0 ? `${Math.floor(hours / 24)}d` : `${Math.floor(hours / 24)}d${hours % 24}h`;
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24)}d`;
  const days = Math.floor(hours / 24);
  if (hours < 24 * 365 * 8) return days % 365 === 0 ? `${Math.floor(days / 365)}y` : `${Math.floor(days / 365)}y${days % 365}d`;
  return `${Math.floor(days / 365)}y`;
}
