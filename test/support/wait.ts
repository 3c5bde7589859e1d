// Small timing helpers for contract tests: sleep, poll until a condition holds, reserve a free port. I/O.
import { createServer } from 'node:net';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `probe` every `intervalMs` until it returns a truthy value; rejects after `timeoutMs` naming `what`. */
export async function waitUntil<T>(probe: () => T | Promise<T>, options: { timeoutMs?: number; intervalMs?: number; what: string }): Promise<NonNullable<T>> {
  const deadline = Date.now() + (options.timeoutMs ?? 10000);
  let last: T | undefined;
  for (;;) {
    last = await probe();
    if (last) return last;
    if (Date.now() > deadline) throw new Error(`timed out after ${options.timeoutMs ?? 10000} ms waiting for ${options.what} (last: ${JSON.stringify(last)})`);
    await sleep(options.intervalMs ?? 50);
  }
}

/** Returns a TCP port on 127.0.0.1 that was free a moment ago (listens on port 0, then closes). */
export async function reserveFreePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  server.close();
  await once(server, 'close');
  return port;
}

export const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;
/** RFC 3339 date-time (with a `Z` or numeric offset). */
export const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;
