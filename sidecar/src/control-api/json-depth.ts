// How deeply a parsed JSON value nests, checked without recursion so that hostile input cannot exhaust the stack. Pure.

/**
 * Deepest nesting the control API accepts in a `payload` (F10). JSON.stringify, which builds the frame, overflows
 * the stack at about 4,400 levels in Node 24; 1,000 leaves a wide margin and is far beyond any real message.
 */
export const maxPayloadDepth = 1000;

/** Whether `value` nests arrays/objects more than `max` levels deep (a scalar is depth 0, `[]` and `{}` depth 1). */
export function isNestedDeeperThan(value: unknown, max: number): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    const [current, depth] = next;
    if (typeof current !== 'object' || current === null) continue;
    if (depth + 1 > max) return true;
    for (const child of Array.isArray(current) ? current : Object.values(current)) {
      if (typeof child === 'object' && child !== null) stack.push([child, depth + 1]);
    }
  }
  return false;
}
