// The hub: what the control API asks of "all connections of this app" (SPEC A4, A10). Local, or over every replica with the Redis backplane (SPEC A8).
import type { CloseCause } from '../protocol/close-codes.ts';
import type { OutboundFrame } from '../connection/outbound-frame.ts';
import type { ChannelListEntry, ChannelPresence } from './channel-report.ts';
import type { UserConnections } from './connection-list.ts';
import type { Targets } from './targets.ts';

/** Backplane only: which replicas applied a command. `answered` counts this one; `missing` names those that did not answer. */
export interface ReplicaAnswers {
  answered: number;
  missing: string[];
}

/** Backplane only: extra fields of an answer (the Olares fields stay as they are). */
export interface BackplaneAnswer {
  replicas?: ReplicaAnswers;
  /** Set when Redis is unreachable: the command was applied on this replica only. */
  backplane?: 'unavailable';
}

export interface SendResult extends BackplaneAnswer {
  matched: number;
  sent: number;
}

export interface CloseResult extends BackplaneAnswer {
  closed: number;
}

export interface SubscribeResult extends BackplaneAnswer {
  matched: number;
  /** New memberships (a connection already in a channel is not counted again). */
  subscribed: number;
  /** Memberships refused: the connection was in WS_MAX_CHANNELS_PER_CONNECTION channels already. */
  refused: number;
}

export interface UnsubscribeResult extends BackplaneAnswer {
  matched: number;
  unsubscribed: number;
}

/** `"all"` leaves every channel (`"all":true`). */
export type ChannelSelection = readonly string[] | 'all';

export interface Hub {
  send(targets: Targets, frame: OutboundFrame): Promise<SendResult>;
  close(targets: Targets, cause: CloseCause): Promise<CloseResult>;
  list(): Promise<UserConnections[]>;
  subscribe(targets: Targets, channels: readonly string[]): Promise<SubscribeResult>;
  unsubscribe(targets: Targets, channels: ChannelSelection): Promise<UnsubscribeResult>;
  /** Channels whose name starts with `prefix`, sorted by name. */
  listChannels(prefix: string): Promise<ChannelListEntry[]>;
  presence(channel: string): Promise<ChannelPresence>;
}
