// Which offered subprotocol the gateway selects (SPEC A2, A12). Pure.

/** The opt-in protocol of SPEC A12: its clients get `$hello` and `$drain` frames. */
export const helloProtocol = 'tapr-ws.v1';

/**
 * `tapr-ws.v1` when offered (wherever it is in the list); otherwise the first offered one, as before (Olares echoes
 * the whole header and breaks clients that offer several); false when none was offered.
 */
export function selectSubprotocol(offered: ReadonlySet<string>): string | false {
  if (offered.has(helloProtocol)) return helloProtocol;
  return offered.values().next().value ?? false;
}
