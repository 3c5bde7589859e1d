// Builds the JSON bodies of the open/message/close callbacks to the app (SPEC A3, with A11's path and query and A10's channels). Pure.
import type { ClientFrame } from './client-frame.ts';
import type { CloseCause } from './close-codes.ts';

/** Who a connection is, as every callback tells the app. */
export interface ConnectionIdentity {
  connId: string;
  userName: string;
  token: string;
  accessPublic: boolean;
  /** The endpoint the client connected to (SPEC A11), e.g. `/ws/chat`, without the query. */
  path: string;
  /** The raw query string without `?`; `""` when there is none. */
  query: string;
}

function envelope(action: string, who: ConnectionIdentity): string {
  return `{"action":${JSON.stringify(action)},"conn_id":${JSON.stringify(who.connId)},"user_name":${JSON.stringify(who.userName)}`;
}

function trailer(who: ConnectionIdentity): string {
  return `,"token":${JSON.stringify(who.token)},"access_public":${who.accessPublic},"path":${JSON.stringify(who.path)},"query":${JSON.stringify(who.query)}`;
}

export function buildOpenBody(who: ConnectionIdentity): string {
  return `${envelope('open', who)},"data":{}${trailer(who)}}`;
}

/**
 * JSON frames are spliced verbatim (already validated), so the app sees exactly what the client sent:
 * no precision lost on large numbers, no re-serialisation cost.
 */
export function buildMessageBody(who: ConnectionIdentity, frame: Exclude<ClientFrame, { kind: 'ping' }>): string {
  switch (frame.kind) {
    case 'json':
      return `${envelope('message', who)},"data":${frame.json}${trailer(who)}}`;
    case 'text':
      return `${envelope('message', who)},"data":${JSON.stringify(frame.text)}${trailer(who)},"raw":true}`;
    case 'binary':
      return `${envelope('message', who)},"data":"${frame.base64}"${trailer(who)},"binary":true}`;
  }
}

/** `channels`: the channels the connection was in when it closed (SPEC A10). */
export function buildCloseBody(who: ConnectionIdentity, cause: CloseCause, channels: readonly string[] = []): string {
  return `${envelope('close', who)},"data":{}${trailer(who)},"code":${cause.code},"reason":${JSON.stringify(cause.reason)},"channels":${JSON.stringify(channels)}}`;
}
