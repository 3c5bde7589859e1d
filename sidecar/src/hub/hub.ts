// The hub: what the control API asks of "all connections of this app". Local today; the Redis backplane (SPEC A8) implements the same interface.
import type { CloseCause } from '../protocol/close-codes.ts';
import type { OutboundFrame } from '../connection/outbound-frame.ts';
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

export interface Hub {
  send(targets: Targets, frame: OutboundFrame): Promise<SendResult>;
  close(targets: Targets, cause: CloseCause): Promise<CloseResult>;
  list(): Promise<UserConnections[]>;
}
