// Whether the app's answer to a callback is an inline reply (SPEC A9), and as which kind of frame. Pure.
import type { OutboundFrame } from '../connection/outbound-frame.ts';

/** The header an app sets on a 2xx answer to make its body a frame for the connection. */
export const replyHeader = 'x-tapr-ws-reply';

/** What came of an answer's body when the app asked for an inline reply. */
export type InlineReply =
  | { kind: 'frame'; frame: OutboundFrame }
  /** Over WS_MAX_BUFFERED_BYTES (declared or counted while reading): dropped, the connection stays open. */
  | { kind: 'too-large'; bytes: number }
  /** The body did not arrive whole (the app's connection broke, or it trickled past WS_CALLBACK_TIMEOUT_MS). */
  | { kind: 'incomplete' };

type HeaderValue = string | string[] | undefined;

export type InlineReplyDecision = { kind: 'ignore' } | { kind: 'reply'; binary: boolean };

/**
 * `ignore` when the answer is no reply (non-2xx, or no `X-Tapr-Ws-Reply: 1`): its body is discarded as before.
 * Otherwise whether the frame is binary (`Content-Type: application/octet-stream`, parameters allowed) or text.
 */
export function decideInlineReply(status: number, headers: Record<string, HeaderValue>): InlineReplyDecision {
  if (status < 200 || status > 299) return { kind: 'ignore' };
  if (first(headers[replyHeader])?.trim() !== '1') return { kind: 'ignore' };
  const mediaType = first(headers['content-type'])?.split(';', 1)[0]!.trim().toLowerCase();
  return { kind: 'reply', binary: mediaType === 'application/octet-stream' };
}

function first(value: HeaderValue): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
