// Pure: Kubernetes label selectors — parse the query string form, convert the LabelSelector object form, match labels.

export type LabelRequirement =
  | { key: string; op: 'in' | 'notin'; values: string[] }
  | { key: string; op: 'exists' | '!exists' }
  | { key: string; op: 'gt' | 'lt'; value: number };

export type LabelSelector = LabelRequirement[];

export interface LabelSelectorObject {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

export class SelectorParseError extends Error {}

const TOKEN = /\s*(!=|==|=|\(|\)|,|!|>|<|[^\s!=(),<>]+)/y;

function tokenize(text: string): string[] {
  const tokens: string[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < text.length) {
    const start = TOKEN.lastIndex;
    const m = TOKEN.exec(text);
    if (m === null) {
      if (text.slice(start).trim() === '') break;
      throw new SelectorParseError(`unable to parse requirement: invalid character at ${start}`);
    }
    tokens.push(m[1]!);
  }
  return tokens;
}

const KEY = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?$/;

function checkKey(key: string | undefined): string {
  if (key === undefined || !KEY.test(key)) {
    throw new SelectorParseError(`unable to parse requirement: invalid label key "${key ?? ''}"`);
  }
  return key;
}

function checkValue(value: string): string {
  if (!VALUE.test(value)) throw new SelectorParseError(`unable to parse requirement: invalid label value: "${value}"`);
  return value;
}

/** Parses `a=b,c!=d,e in (f,g),h notin (i),j,!k,l>3`; an empty string selects everything. */
export function parseLabelSelector(text: string): LabelSelector {
  const tokens = tokenize(text);
  const out: LabelSelector = [];
  let i = 0;
  const peek = (): string | undefined => tokens[i];
  const next = (): string | undefined => tokens[i++];
  while (i < tokens.length) {
    if (peek() === '!') {
      next();
      out.push({ key: checkKey(next()), op: '!exists' });
    } else {
      const key = checkKey(next());
      const op = peek();
      if (op === undefined || op === ',') {
        out.push({ key, op: 'exists' });
      } else if (op === '=' || op === '==' || op === '!=') {
        next();
        const raw = peek();
        const value = raw === undefined || raw === ',' ? '' : (next() ?? '');
        out.push({ key, op: op === '!=' ? 'notin' : 'in', values: [checkValue(value)] });
      } else if (op === 'in' || op === 'notin') {
        next();
        if (next() !== '(') throw new SelectorParseError(`unable to parse requirement: expected '(' after ${op}`);
        const values: string[] = [];
        for (;;) {
          const t = next();
          if (t === undefined) throw new SelectorParseError('unable to parse requirement: missing )');
          if (t === ')') break;
          if (t === ',') continue;
          values.push(checkValue(t));
        }
        out.push({ key, op, values });
      } else if (op === '>' || op === '<') {
        next();
        const value = Number(next());
        if (!Number.isInteger(value)) throw new SelectorParseError(`unable to parse requirement: ${op} needs an integer`);
        out.push({ key, op: op === '>' ? 'gt' : 'lt', value });
      } else {
        throw new SelectorParseError(`unable to parse requirement: found '${op}', expected: in, notin, =, ==, !=, gt, lt`);
      }
    }
    const sep = next();
    if (sep !== undefined && sep !== ',') throw new SelectorParseError(`unable to parse requirement: found '${sep}', expected: ','`);
  }
  return out;
}

/** Converts a LabelSelector object (matchLabels/matchExpressions) to requirements. */
export function buildLabelSelector(obj: LabelSelectorObject): LabelSelector {
  const out: LabelSelector = [];
  for (const [key, value] of Object.entries(obj.matchLabels ?? {})) out.push({ key, op: 'in', values: [value] });
  for (const e of obj.matchExpressions ?? []) {
    switch (e.operator) {
      case 'In': out.push({ key: e.key, op: 'in', values: e.values ?? [] }); break;
      case 'NotIn': out.push({ key: e.key, op: 'notin', values: e.values ?? [] }); break;
      case 'Exists': out.push({ key: e.key, op: 'exists' }); break;
      case 'DoesNotExist': out.push({ key: e.key, op: '!exists' }); break;
      default: throw new SelectorParseError(`"${e.operator}" is not a valid label selector operator`);
    }
  }
  return out;
}

export function matchesLabels(selector: LabelSelector, labels: Record<string, string> | undefined): boolean {
  const l = labels ?? {};
  return selector.every((r) => {
    const has = Object.hasOwn(l, r.key);
    switch (r.op) {
      case 'exists': return has;
      case '!exists': return !has;
      case 'in': return has && r.values.includes(l[r.key]!);
      case 'notin': return !has || !r.values.includes(l[r.key]!);
      case 'gt': return has && Number(l[r.key]) > r.value;
      case 'lt': return has && Number(l[r.key]) < r.value;
    }
  });
}
