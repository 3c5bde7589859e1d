// What replicas say to each other over Redis (SPEC A8, A10): key and channel names, commands, replies, directory entries. Pure; zod checks whatever comes off Redis.
import type { ChannelTally } from '../hub/channel-index.ts';
import type { PresenceMember } from '../hub/channel-report.ts';
import type { OutboundFrame } from '../connection/outbound-frame.ts';
import type { CloseCause } from '../protocol/close-codes.ts';
import type { Targets } from '../hub/targets.ts';
import * as z from '../zod-mini.ts';

/** Every key and channel of one app, all under its WS_REDIS_PREFIX. */
export interface BackplaneKeys {
  /** Channel: send/close by users or tokens, applied by every replica. */
  commands: string;
  /** Channel of one replica: direct (conn_id) commands to it and replies to its requests. */
  inbox(replicaId: string): string;
  /** String with a TTL: the replica is alive while it exists. */
  alive(replicaId: string): string;
  /** Set of replica ids that may have entries (dead ones are reaped). */
  replicas: string;
  /** Hash conn_id → directory entry, the connections of one replica. */
  connections(replicaId: string): string;
  /** Set of the distinct non-empty user names on one replica. */
  users(replicaId: string): string;
  /** Hash conn_id → replica id: where a direct command must go. */
  owners: string;
  /** Scratch key for the user union of one replica's heartbeat. */
  scratch(replicaId: string): string;
}

export function buildKeys(prefix: string): BackplaneKeys {
  return {
    commands: `${prefix}:commands`,
    inbox: (id) => `${prefix}:inbox:${id}`,
    alive: (id) => `${prefix}:alive:${id}`,
    replicas: `${prefix}:replicas`,
    connections: (id) => `${prefix}:conns:${id}`,
    users: (id) => `${prefix}:users:${id}`,
    owners: `${prefix}:owners`,
    scratch: (id) => `${prefix}:scratch:${id}`,
  };
}

/**
 * Commands with targets are applied by every replica that holds a match; queries (`channels`, `presence`) are answered
 * by every replica with its own part, which the asking replica merges.
 */
export type Command =
  | { type: 'send'; id: string; from: string; targets: Targets; frame: OutboundFrame }
  | { type: 'close'; id: string; from: string; targets: Targets; cause: CloseCause }
  | { type: 'subscribe'; id: string; from: string; targets: Targets; channels: string[] }
  /** `channels: null` leaves every channel (`"all":true`). */
  | { type: 'unsubscribe'; id: string; from: string; targets: Targets; channels: string[] | null }
  | { type: 'channels'; id: string; from: string; prefix: string }
  | { type: 'presence'; id: string; from: string; channel: string };

/** What one replica did; the counts of a command type it does not carry are 0. */
export interface ReplyCounts {
  matched: number;
  sent: number;
  closed: number;
  subscribed: number;
  refused: number;
  unsubscribed: number;
}

export interface Reply extends ReplyCounts {
  type: 'reply';
  id: string;
  from: string;
  /** Answer to `channels`. */
  tallies?: ChannelTally[];
  /** Answer to `presence`. */
  members?: PresenceMember[];
}

export function zeroCounts(): ReplyCounts {
  return { matched: 0, sent: 0, closed: 0, subscribed: 0, refused: 0, unsubscribed: 0 };
}

export type Message = Command | Reply;

const stringList = z.optional(z.array(z.string()));
const targetsSchema = z.object({
  connIds: stringList,
  users: stringList,
  tokens: stringList,
  channels: stringList,
  exceptConns: stringList,
  exceptUsers: stringList,
  accessType: z.union([z.literal(0), z.literal(1), z.literal(2)]),
});
// Replicas from before SPEC A10 send replies without the channel counts.
const count = z.int().check(z.minimum(0));
const optionalCount = z._default(count, 0);
const header = { id: z.string().check(z.minLength(1)), from: z.string().check(z.minLength(1)) };
const tallySchema = z.object({ channel: z.string(), conns: count, users: z.array(z.string()) });
const memberSchema = z.object({ user: z.string(), connId: z.string(), connectedAt: z.number(), pod: z.optional(z.string()) });
const messageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('send'), ...header, targets: targetsSchema, data: z.string(), binary: z.boolean() }),
  z.object({ type: z.literal('close'), ...header, targets: targetsSchema, code: z.int(), reason: z.string() }),
  z.object({ type: z.literal('subscribe'), ...header, targets: targetsSchema, channels: z.array(z.string()) }),
  z.object({ type: z.literal('unsubscribe'), ...header, targets: targetsSchema, channels: z.nullable(z.array(z.string())) }),
  z.object({ type: z.literal('channels'), ...header, prefix: z.string() }),
  z.object({ type: z.literal('presence'), ...header, channel: z.string() }),
  z.object({
    type: z.literal('reply'), ...header,
    matched: count, sent: count, closed: count, subscribed: optionalCount, refused: optionalCount, unsubscribed: optionalCount,
    tallies: z.optional(z.array(tallySchema)), members: z.optional(z.array(memberSchema)),
  }),
]);

/** One message as published: text frames travel as their UTF-8 text, binary frames as base64. */
export function encodeMessage(message: Message): string {
  switch (message.type) {
    case 'send': {
      const { frame, ...rest } = message;
      return JSON.stringify({ ...rest, data: frame.data.toString(frame.binary ? 'base64' : 'utf8'), binary: frame.binary });
    }
    case 'close': {
      const { cause, ...rest } = message;
      return JSON.stringify({ ...rest, code: cause.code, reason: cause.reason });
    }
    default:
      return JSON.stringify(message);
  }
}

export type Decoded = { ok: true; message: Message } | { ok: false; error: string };

/** Validates a message read from Redis; the error names the field. */
export function decodeMessage(text: string): Decoded {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    return { ok: false, error: `message: invalid JSON (${(error as Error).message})` };
  }
  const parsed = messageSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return { ok: false, error: `${issue.path.join('.') || 'message'}: ${issue.message}` };
  }
  const value = parsed.data;
  switch (value.type) {
    case 'send': {
      const { data, binary, ...rest } = value;
      return { ok: true, message: { ...rest, targets: compactTargets(value.targets), frame: { data: Buffer.from(data, binary ? 'base64' : 'utf8'), binary } } };
    }
    case 'close': {
      const { code, reason, ...rest } = value;
      return { ok: true, message: { ...rest, targets: compactTargets(value.targets), cause: { code, reason } } };
    }
    case 'subscribe':
    case 'unsubscribe':
      return { ok: true, message: { ...value, targets: compactTargets(value.targets) } };
    case 'reply': {
      const { tallies, members, ...rest } = value;
      const reply: Reply = rest;
      if (tallies) reply.tallies = tallies;
      if (members) reply.members = members.map((m) => (m.pod === undefined ? { user: m.user, connId: m.connId, connectedAt: m.connectedAt } : { user: m.user, connId: m.connId, connectedAt: m.connectedAt, pod: m.pod }));
      return { ok: true, message: reply };
    }
    default:
      return { ok: true, message: value };
  }
}

const targetLists = ['connIds', 'users', 'tokens', 'channels', 'exceptConns', 'exceptUsers'] as const;

function compactTargets(targets: z.output<typeof targetsSchema>): Targets {
  const result: { -readonly [K in keyof Targets]: Targets[K] } = { accessType: targets.accessType };
  for (const name of targetLists) {
    const values = targets[name];
    if (values) result[name] = values;
  }
  return result;
}

/** What the directory keeps of a connection for `list` on other replicas (never its token). */
export interface DirectoryEntry {
  user: string;
  userAgent: string;
  /** Epoch milliseconds. */
  connectedAt: number;
  public: boolean;
  /** The endpoint (SPEC A11). */
  path: string;
}

// `w` is absent in entries written by replicas from before SPEC A11, which only served `/ws`.
const entrySchema = z.object({ u: z.string(), a: z.string(), t: z.number(), p: z.boolean(), w: z._default(z.string(), '/ws') });

export function encodeEntry(entry: DirectoryEntry): string {
  return JSON.stringify({ u: entry.user, a: entry.userAgent, t: entry.connectedAt, p: entry.public, w: entry.path });
}

/** A directory entry, or undefined when what Redis holds is not one (skipped rather than trusted). */
export function decodeEntry(text: string): DirectoryEntry | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return undefined;
  }
  const parsed = entrySchema.safeParse(raw);
  return parsed.success ? { user: parsed.data.u, userAgent: parsed.data.a, connectedAt: parsed.data.t, public: parsed.data.p, path: parsed.data.w } : undefined;
}
