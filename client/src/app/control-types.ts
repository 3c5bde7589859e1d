// The control API's request and answer shapes (SPEC A4, A10), as the gateway's request-schemas.ts accepts them. Types only.

/** 0 every connection, 1 only those with an `auth_token` cookie, 2 only public ones. */
export type AccessType = 0 | 1 | 2;

/** Who a call reaches. Lists combine with AND; `except_*` remove from what the others matched. */
export interface Targets {
  conn_id?: string;
  conns?: string[];
  users?: string[];
  tokens?: string[];
  users_access_type?: AccessType;
}
export interface SendTargets extends Targets {
  /** Connections in any of these channels. */
  channels?: string[];
  except_conns?: string[];
  except_users?: string[];
}
export type CloseTargets = Omit<SendTargets, 'conn_id'>;

/** `payload` is sent as one JSON text frame; `payload_base64` as one binary frame. */
export type SendRequest = SendTargets & ({ payload: unknown; payload_base64?: never } | { payload_base64: string; payload?: never });
export type SubscribeRequest = Targets & { channels: string[] };
export type UnsubscribeRequest = Targets & ({ channels: string[]; all?: never } | { all: true; channels?: never });

export interface SendResult { matched: number; sent: number }
export interface CloseResult { closed: number }
export interface SubscribeResult { matched: number; subscribed: number; refused: number }
export interface UnsubscribeResult { matched: number; unsubscribed: number }

export interface ListedConnection {
  id: string;
  userAgent: string;
  connectedAt: string;
  /** The endpoint (SPEC A11). */
  path?: string;
  /** With the Redis backplane: the replica holding it. */
  pod?: string;
}
export interface ListedUser {
  name: string;
  conns: ListedConnection[];
  conns_number: number;
  public_conns: ListedConnection[];
  public_conns_number: number;
}

export interface ChannelSummary { channel: string; conns_number: number; users_number: number }
export interface Presence {
  channel: string;
  conns_number: number;
  users: { name: string; conns: { id: string; pod?: string; connectedAt: string }[] }[];
}
