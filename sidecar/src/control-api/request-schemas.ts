// Validates control API bodies (SPEC A4, A10): one zod schema per command, errors that name the field. Pure.
import { channelNameRule, isChannelName } from '../hub/channel-name.ts';
import type { ChannelSelection } from '../hub/hub.ts';
import { hasTarget, type Targets } from '../hub/targets.ts';
import { isNestedDeeperThan, maxPayloadDepth } from './json-depth.ts';
import * as z from '../zod-mini.ts';

const stringList = z.array(z.string({ error: 'expected a string' }), { error: 'expected an array of strings' });
const accessType = z.union([z.literal(0), z.literal(1), z.literal(2)], { error: 'expected 0 (all), 1 (with auth_token cookie) or 2 (public)' });
const base64 = z.string({ error: 'expected a base64 string' }).check(
  z.regex(/^[A-Za-z0-9+/]*={0,2}$/, 'expected a base64 string'),
  z.refine((s) => s.length % 4 === 0, 'expected a base64 string (length a multiple of 4)'));
const connId = z.string({ error: 'expected a string' });

// send and close keep Olares' leniency for fields they do not know (its server ignores them); the channel
// endpoints are new, so a misspelt field there is an error rather than a silent no-op.
/** The targets of send and close (SPEC A4, A10). */
const deliveryTargets = {
  conns: z.optional(stringList),
  users: z.optional(stringList),
  tokens: z.optional(stringList),
  channels: z.optional(stringList),
  except_conns: z.optional(stringList),
  except_users: z.optional(stringList),
  users_access_type: z.optional(accessType),
};
const sendSchema = z.object({ payload: z.optional(z.unknown()), payload_base64: z.optional(base64), conn_id: z.optional(connId), ...deliveryTargets });
const closeSchema = z.object(deliveryTargets);

const memberTargets = {
  conn_id: z.optional(connId),
  conns: z.optional(stringList),
  users: z.optional(stringList),
  tokens: z.optional(stringList),
  users_access_type: z.optional(accessType),
};
const subscribeSchema = z.strictObject({ channels: z.optional(stringList), ...memberTargets });
const unsubscribeSchema = z.strictObject({ channels: z.optional(stringList), all: z.optional(z.boolean({ error: 'expected true' })), ...memberTargets });

export type SendCommand = { targets: Targets } & ({ payload: unknown } | { payloadBase64: string });
export type CloseCommand = { targets: Targets };
export type SubscribeCommand = { targets: Targets; channels: string[] };
export type UnsubscribeCommand = { targets: Targets; channels: ChannelSelection };
export type Validated<T> = { ok: true; value: T } | { ok: false; message: string };

const sendTargetNames = 'conn_id, conns, users, tokens, channels';
const memberTargetNames = 'conn_id, conns, users, tokens';

export function parseSendCommand(body: unknown): Validated<SendCommand> {
  const shape = requireObject(body);
  if (!shape.ok) return shape;
  const parsed = sendSchema.safeParse(shape.value);
  if (!parsed.success) return invalid(parsed.error);
  const { payload_base64, conn_id, conns, users, tokens, channels, except_conns, except_users, users_access_type } = parsed.data;
  const hasPayload = Object.hasOwn(shape.value, 'payload');
  if (hasPayload && payload_base64 !== undefined) return { ok: false, message: 'payload, payload_base64: give one of them, not both' };
  if (!hasPayload && payload_base64 === undefined) return { ok: false, message: 'payload: required (any JSON value, or payload_base64 for a binary frame)' };
  if (hasPayload && isNestedDeeperThan(parsed.data.payload, maxPayloadDepth)) return { ok: false, message: `payload: nested too deeply (max ${maxPayloadDepth} levels)` };
  const badChannel = channelProblem('channels', channels, true);
  if (badChannel) return { ok: false, message: badChannel };
  const targets = buildTargets({ connIds: joinConnIds(conn_id, conns), users, tokens, channels, exceptConns: except_conns, exceptUsers: except_users }, users_access_type);
  if (!hasTarget(targets)) return { ok: false, message: `${sendTargetNames}: at least one target is required (except_conns and except_users only remove from them)` };
  return { ok: true, value: payload_base64 !== undefined ? { targets, payloadBase64: payload_base64 } : { targets, payload: parsed.data.payload } };
}

export function parseCloseCommand(body: unknown): Validated<CloseCommand> {
  const shape = requireObject(body);
  if (!shape.ok) return shape;
  const parsed = closeSchema.safeParse(shape.value);
  if (!parsed.success) return invalid(parsed.error);
  const { conns, users, tokens, channels, except_conns, except_users, users_access_type } = parsed.data;
  const badChannel = channelProblem('channels', channels, true);
  if (badChannel) return { ok: false, message: badChannel };
  const targets = buildTargets({ connIds: conns, users, tokens, channels, exceptConns: except_conns, exceptUsers: except_users }, users_access_type);
  // Olares closes every connection on {}; an empty target is almost always a bug in the caller.
  if (!hasTarget(targets)) return { ok: false, message: 'conns, users, tokens, channels: at least one target is required' };
  return { ok: true, value: { targets } };
}

/** `maxChannels`: WS_MAX_CHANNELS_PER_CONNECTION; a request naming more could never be granted whole. */
export function parseSubscribeCommand(body: unknown, maxChannels: number): Validated<SubscribeCommand> {
  const shape = requireObject(body);
  if (!shape.ok) return shape;
  const parsed = subscribeSchema.safeParse(shape.value);
  if (!parsed.success) return invalid(parsed.error);
  const { channels, conn_id, conns, users, tokens, users_access_type } = parsed.data;
  const wanted = distinct(channels);
  if (wanted.length === 0) return { ok: false, message: 'channels: at least one channel is required' };
  const problem = channelProblem('channels', wanted) ?? tooMany(wanted, maxChannels);
  if (problem) return { ok: false, message: problem };
  const targets = buildTargets({ connIds: joinConnIds(conn_id, conns), users, tokens }, users_access_type);
  if (!hasTarget(targets)) return { ok: false, message: `${memberTargetNames}: at least one target is required` };
  return { ok: true, value: { targets, channels: wanted } };
}

export function parseUnsubscribeCommand(body: unknown): Validated<UnsubscribeCommand> {
  const shape = requireObject(body);
  if (!shape.ok) return shape;
  const parsed = unsubscribeSchema.safeParse(shape.value);
  if (!parsed.success) return invalid(parsed.error);
  const { channels, all, conn_id, conns, users, tokens, users_access_type } = parsed.data;
  if (all === false) return { ok: false, message: 'all: expected true (or leave it out and name the channels)' };
  const wanted = distinct(channels);
  if (all && channels !== undefined) return { ok: false, message: 'channels, all: give one of them, not both' };
  if (!all && wanted.length === 0) return { ok: false, message: 'channels: at least one channel is required (or "all":true)' };
  const problem = channelProblem('channels', wanted);
  if (problem) return { ok: false, message: problem };
  const targets = buildTargets({ connIds: joinConnIds(conn_id, conns), users, tokens }, users_access_type);
  if (!hasTarget(targets)) return { ok: false, message: `${memberTargetNames}: at least one target is required` };
  return { ok: true, value: { targets, channels: all ? 'all' : wanted } };
}

/** `?prefix=` of the channel list: empty, or the characters a channel name may have. */
export function parseChannelPrefix(prefix: string | undefined): Validated<string> {
  if (prefix === undefined || prefix === '') return { ok: true, value: '' };
  return isChannelName(prefix) ? { ok: true, value: prefix } : { ok: false, message: `prefix: ${quote(prefix)} cannot start a channel name (${channelNameRule})` };
}

/** `?channel=` of presence: required, a valid name. */
export function parsePresenceChannel(channel: string | undefined): Validated<string> {
  if (channel === undefined || channel === '') return { ok: false, message: 'channel: required (?channel=<name>)' };
  return isChannelName(channel) ? { ok: true, value: channel } : { ok: false, message: `channel: ${quote(channel)} is not a channel name (${channelNameRule})` };
}

type TargetLists = Omit<Targets, 'accessType'>;

/** Targets without the lists that were not given (the backplane forwards them as they are). */
function buildTargets(lists: TargetLists, accessType: Targets['accessType'] | undefined): Targets {
  const targets: { -readonly [K in keyof Targets]: Targets[K] } = { accessType: accessType ?? 0 };
  for (const [name, values] of Object.entries(lists) as [keyof TargetLists, readonly string[] | undefined][]) {
    if (values !== undefined) targets[name] = values;
  }
  return targets;
}

/** `conn_id` (Olares) and `conns` (SPEC A10) address connections the same way. */
function joinConnIds(connId: string | undefined, conns: string[] | undefined): string[] | undefined {
  if (!connId) return conns;
  return conns ? [connId, ...conns] : [connId];
}

function distinct(values: string[] | undefined): string[] {
  return values === undefined ? [] : [...new Set(values)];
}

/**
 * The first invalid channel name, named by its position. As a send or close target an empty string counts as not
 * given, like other targets (`emptyAllowed`); a channel to join or leave must be a name.
 */
function channelProblem(field: string, channels: readonly string[] | undefined, emptyAllowed = false): string | undefined {
  const index = channels?.findIndex((name) => !(emptyAllowed && name === '') && !isChannelName(name)) ?? -1;
  if (index < 0) return undefined;
  return `${field}[${index}]: ${quote(channels![index]!)} is not a channel name (${channelNameRule})`;
}

function tooMany(channels: readonly string[], max: number): string | undefined {
  return channels.length > max ? `channels: ${channels.length} channels, at most ${max} per request (WS_MAX_CHANNELS_PER_CONNECTION)` : undefined;
}

function quote(value: string): string {
  return JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value);
}

function requireObject(body: unknown): Validated<Record<string, unknown>> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return { ok: false, message: 'body: expected a JSON object' };
  return { ok: true, value: body as Record<string, unknown> };
}

function invalid(error: z.core.$ZodError): { ok: false; message: string } {
  const issue = error.issues[0]!;
  if (issue.code === 'unrecognized_keys') return { ok: false, message: `${issue.keys.join(', ')}: unknown field${issue.keys.length > 1 ? 's' : ''}` };
  const field = issue.path.length > 0 ? issue.path.map(String).join('.') : 'body';
  return { ok: false, message: `${field}: ${issue.message}` };
}
