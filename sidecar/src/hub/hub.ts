// The hub: what the control API asks of "all connections of this app". Local today; the Redis backplane (SPEC A8) implements the same interface.
import type { CloseCause } from '../protocol/close-codes.ts';
import type { OutboundFrame } from '../connection/outbound-frame.ts';
import type { UserConnections } from './connection-list.ts';
import type { Targets } from './targets.ts';

export interface SendResult {
  matched: number;
  sent: number;
}

export interface Hub {
  send(targets: Targets, frame: OutboundFrame): Promise<SendResult>;
  close(targets: Targets, cause: CloseCause): Promise<{ closed: number }>;
  list(): Promise<UserConnections[]>;
}
