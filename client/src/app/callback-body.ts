// Validates the gateway's callback body (SPEC A3, with A10's channels and A11's path and query): errors name the field. Pure.

/** A callback as the gateway sends it, checked. */
export type CallbackBody = OpenBody | MessageBody | CloseBody;

interface Common {
  conn_id: string;
  user_name: string;
  /** The `auth_token` cookie, or a random UUID for public connections. */
  token: string;
  access_public: boolean;
  /** The endpoint under `/ws` (SPEC A11), without the query. */
  path: string;
  /** The raw query string without `?`, `""` when there is none. */
  query: string;
}
export interface OpenBody extends Common { action: 'open' }
export interface MessageBody extends Common {
  action: 'message';
  /** The parsed JSON frame; the text itself with `raw`; base64 with `binary`. */
  data: unknown;
  raw: boolean;
  binary: boolean;
}
export interface CloseBody extends Common {
  action: 'close';
  code: number;
  reason: string;
  /** The channels the connection was in (SPEC A10). */
  channels: string[];
}

export type ParsedCallback = { ok: true; body: CallbackBody } | { ok: false; error: string };

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

type Check = (value: unknown) => string | undefined;
const nonEmptyString: Check = (v) => (typeof v === 'string' && v !== '' ? undefined : 'expected a non-empty string');
const string: Check = (v) => (typeof v === 'string' ? undefined : 'expected a string');
const boolean: Check = (v) => (typeof v === 'boolean' ? undefined : 'expected true or false');
const optional = (check: Check): Check => (v) => (v === undefined ? undefined : check(v));
const closeCode: Check = (v) => (Number.isInteger(v) && (v as number) >= 1000 && (v as number) <= 4999 ? undefined : 'expected a close code 1000-4999');
const stringList: Check = (v) => (Array.isArray(v) && v.every((s) => typeof s === 'string') ? undefined : 'expected an array of strings');

const common: Record<string, Check> = { conn_id: nonEmptyString, user_name: string, token: string, access_public: boolean, path: optional(string), query: optional(string) };
const byAction: Record<CallbackBody['action'], Record<string, Check>> = {
  open: {},
  message: { data: (v) => (v === undefined ? 'required (any JSON value)' : undefined), raw: optional(boolean), binary: optional(boolean) },
  close: { code: closeCode, reason: string, channels: optional(stringList) },
};

/** `path`, `query` (SPEC A11) and `channels` (A10) default to `/ws`, `""` and `[]` for gateways without those extensions. */
export function parseCallbackBody(body: unknown): ParsedCallback {
  if (!isRecord(body)) return { ok: false, error: 'body: expected a JSON object' };
  const action = body.action;
  if (action !== 'open' && action !== 'message' && action !== 'close') return { ok: false, error: 'action: expected "open", "message" or "close"' };
  for (const [field, check] of Object.entries({ ...common, ...byAction[action] })) {
    const problem = check(body[field]);
    if (problem !== undefined) return { ok: false, error: `${field}: ${problem}` };
  }
  const base: Common = {
    conn_id: body.conn_id as string, user_name: body.user_name as string, token: body.token as string, access_public: body.access_public as boolean,
    path: (body.path as string | undefined) ?? '/ws', query: (body.query as string | undefined) ?? '',
  };
  switch (action) {
    case 'open':
      return { ok: true, body: { ...base, action } };
    case 'message':
      return { ok: true, body: { ...base, action, data: body.data, raw: body.raw === true, binary: body.binary === true } };
    case 'close':
      return { ok: true, body: { ...base, action, code: body.code as number, reason: body.reason as string, channels: (body.channels as string[] | undefined) ?? [] } };
  }
}
