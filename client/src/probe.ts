// Learns why an upgrade was refused: browsers report only 1006, so a plain GET of the same URL asks the gateway (SPEC A11).

/** `ws://h/ws/x?q` → `http://h/ws/x?q` (and wss → https). */
export function probeUrl(socketUrl: string): string {
  const url = new URL(socketUrl);
  url.protocol = url.protocol === 'wss:' ? 'https:' : 'http:';
  url.hash = '';
  return url.href;
}

/** The status of that GET (426 means an upgrade would be accepted), or undefined when it could not be asked. */
export async function probeRefusal(socketUrl: string, timeoutMs: number): Promise<number | undefined> {
  if (typeof fetch !== 'function') return undefined;
  try {
    const response = await fetch(probeUrl(socketUrl), { credentials: 'include', cache: 'no-store', signal: AbortSignal.timeout(timeoutMs) });
    await response.body?.cancel();
    return response.status;
  } catch {
    return undefined;
  }
}
