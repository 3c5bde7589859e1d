// Pure: field selectors (`metadata.name=x,status.phase!=Running`) restricted to the fields a resource supports.

export interface FieldRequirement {
  field: string;
  op: '=' | '!=';
  value: string;
}

export type FieldSelector = FieldRequirement[];

export class FieldSelectorError extends Error {}

/** Splits on commas not escaped with a backslash, like the apiserver. */
function splitTerms(text: string): string[] {
  const terms: string[] = [];
  let current = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\\' && i + 1 < text.length) {
      current += text[++i];
    } else if (c === ',') {
      terms.push(current);
      current = '';
    } else {
      current += c;
    }
  }
  terms.push(current);
  return terms.filter((t) => t !== '');
}

/** Parses a field selector and checks every field is one of `supported`. */
export function parseFieldSelector(text: string, supported: readonly string[]): FieldSelector {
  const out: FieldSelector = [];
  for (const term of splitTerms(text)) {
    const m = /^([^=!]+)(!=|==|=)(.*)$/.exec(term);
    if (m === null) throw new FieldSelectorError(`invalid selector: '${text}'; can't understand '${term}'`);
    const field = m[1]!.trim();
    if (!supported.includes(field)) throw new FieldSelectorError(`field label not supported: ${field}`);
    out.push({ field, op: m[2] === '!=' ? '!=' : '=', value: m[3]! });
  }
  return out;
}

function readPath(obj: unknown, path: string): string {
  let cur: unknown = obj;
  for (const part of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return '';
    cur = (cur as Record<string, unknown>)[part];
  }
  if (cur === undefined || cur === null) return '';
  return typeof cur === 'string' ? cur : JSON.stringify(cur);
}

export function matchesFields(selector: FieldSelector, obj: unknown): boolean {
  return selector.every((r) => (readPath(obj, r.field) === r.value) === (r.op === '='));
}

/** The single object name a selector pins, if any (`metadata.name=x`). */
export function selectedName(selector: FieldSelector): string | undefined {
  return selector.find((r) => r.field === 'metadata.name' && r.op === '=')?.value;
}
