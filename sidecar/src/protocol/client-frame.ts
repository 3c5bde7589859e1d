// Classifies one inbound client frame: keep-alive ping, JSON, raw text or binary (SPEC A2). Pure.

export type ClientFrame =
  | { kind: 'ping' }
  /** `json` is the frame's text, already known to be valid JSON, spliced as is into the callback. */
  | { kind: 'json'; json: string }
  | { kind: 'text'; text: string }
  | { kind: 'binary'; base64: string };

export function parseClientFrame(data: Buffer, isBinary: boolean): ClientFrame {
  if (isBinary) return { kind: 'binary', base64: data.toString('base64') };
  const text = data.toString('utf8');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { kind: 'text', text };
  }
  if (isPing(value)) return { kind: 'ping' };
  return { kind: 'json', json: text };
}

function isPing(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && (value as { event?: unknown }).event === 'ping';
}

/** The answer to a keep-alive ping, as Olares sends it. */
export const pongFrame = '{"event":"pong"}';
