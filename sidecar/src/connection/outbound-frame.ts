// One message to clients, serialised once however many sockets it goes to (SPEC A2 outbound). Pure.

export interface OutboundFrame {
  data: Buffer;
  binary: boolean;
}

/** The app's `payload` as one JSON text frame, with no envelope (as Olares sends it). */
export function buildJsonFrame(payload: unknown): OutboundFrame {
  // JSON.stringify(undefined) is undefined; the control API rejects a missing payload before this.
  return { data: Buffer.from(JSON.stringify(payload) ?? 'null', 'utf8'), binary: false };
}

/** `payload_base64` (extension) as one binary frame. */
export function buildBinaryFrame(base64: string): OutboundFrame {
  return { data: Buffer.from(base64, 'base64'), binary: true };
}
