// What replicas say to each other over Redis (SPEC A8): key and channel names, commands, replies, directory entries. Pure; zod checks whatever comes off Redis.
import { z } from 'zod';
import type { OutboundFrame } from '../connection/outbound-frame.ts';
import type { CloseCause } from '../protocol/close-codes.ts';
import type { Targets } from '../hub/targets.ts';

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

export type Command =
  | { type: 'send'; id: string; from: string; targets: Targets; frame: OutboundFrame }
  | { type: 'close'; id: string; from: string; targets: Targets; cause: CloseCause };

export interface Reply {
  type: 'reply';
  id: string;
  from: string;
  matched: number;
  sent: number;
  closed: number;
}

export type Message = Command | Reply;

const stringList = z.array(z.string()).optional();
const targetsSchema = z.object({
  connIds: stringList,
  users: stringList,
  tokens: stringList,
  accessType: z.union([z.literal(0), z.literal(1), z.literal(2)]),
});
const count = z.number().int().min(0);
const messageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('send'), id: z.string().min(1), from: z.string().min(1), targets: targetsSchema, data: z.string(), binary: z.boolean() }),
  z.object({ type: z.literal('close'), id: z.string().min(1), from: z.string().min(1), targets: targetsSchema, code: z.number().int(), reason: z.string() }),
  z.object({ type: z.literal('reply'), id: z.string().min(1), from: z.string().min(1), matched: count, sent: count, closed: count }),
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
    case 'reply':
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
    case 'reply':
      return { ok: true, message: value };
  }
}

function compactTargets(targets: z.output<typeof targetsSchema>): Targets {
  const result: Targets = { accessType: targets.accessType };
  if (targets.connIds) result.connIds = targets.connIds;
  if (targets.users) result.users = targets.users;
  if (targets.tokens) result.tokens = targets.tokens;
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
const entrySchema = z.object({ u: z.string(), a: z.string(), t: z.number(), p: z.boolean(), w: z.string().default('/ws') });

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
