// The kit's wire conventions, pure: `{"event","data"}` frames as the client library sends and receives them (SPEC D),
// the `$reply` to a request, the answer to a callback (SPEC A9 inline reply, A10 open-answer subscribe), channel names.

/** The header that makes a 2xx answer's body a frame for the connection (SPEC A9). */
export const REPLY_HEADER = 'x-tapr-ws-reply';

/** A frame from createClient's `send()`/`request()`: `{"event":…,"data":…}`; undefined for anything else. */
export function readEventFrame(data: unknown): { event: string; data: unknown } | undefined {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return undefined;
  const frame = data as Record<string, unknown>;
  return typeof frame.event === 'string' ? { event: frame.event, data: frame.data } : undefined;
}

/** The `$id` that `request()` adds to its data, when there is one. */
export function readRequestId(data: unknown): string | undefined {
  if (typeof data !== 'object' || data === null) return undefined;
  const id = (data as Record<string, unknown>).$id;
  return typeof id === 'string' ? id : undefined;
}

export function buildEventFrame(event: string, data: unknown): { event: string; data: unknown } {
  return { event, data };
}

/** The answer to `request()`: `{"event":"$reply","data":{"$id":…, …result}}`; a result that is not an object goes under `value`. */
export function buildReplyFrame(requestId: string, result: unknown): { event: '$reply'; data: Record<string, unknown> } {
  const fields = typeof result === 'object' && result !== null && !Array.isArray(result) ? result as Record<string, unknown> : { value: result };
  return { event: '$reply', data: { ...fields, $id: requestId } };
}

export interface CallbackAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

const json = { 'content-type': 'application/json' };

/**
 * The 2xx answer: an inline reply (its body is only a frame, SPEC A9), else the open answer's subscriptions (A10),
 * else Olares' `{"code":0,"message":"success"}`.
 */
export function buildAnswer(outcome: { reply?: unknown; subscribe?: readonly string[] }): CallbackAnswer {
  if (outcome.reply !== undefined) return { status: 200, headers: { ...json, [REPLY_HEADER]: '1' }, body: JSON.stringify(outcome.reply) };
  if (outcome.subscribe !== undefined && outcome.subscribe.length > 0) return { status: 200, headers: json, body: JSON.stringify({ subscribe: outcome.subscribe }) };
  return { status: 200, headers: json, body: '{"code":0,"message":"success"}' };
}

export function buildErrorAnswer(status: number, error: string): CallbackAnswer {
  return { status, headers: json, body: JSON.stringify({ error }) };
}

/** SPEC A10: 1–200 characters, each a letter, a digit or one of `_-:./@#=`. */
const channelName = /^[A-Za-z0-9_\-:./@#=]{1,200}$/;

/** Throws naming the first channel the gateway would refuse, so a typo fails where it was made. */
export function assertChannelNames(where: string, channels: readonly string[]): void {
  const bad = channels.findIndex((name) => typeof name !== 'string' || !channelName.test(name));
  if (bad >= 0) throw new TypeError(`${where}: channels[${bad}] ${JSON.stringify(channels[bad])} is not a channel name (1-200 characters, each a letter, a digit or one of _-:./@#=)`);
}
