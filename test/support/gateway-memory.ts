// The gateway's live memory after a forced full GC, through its inspector (start it with INSPECT_ENV). I/O.
import type { GatewayProcess } from './gateway-process.ts';
import { collectGarbage, inspectorUrlFrom, type MemoryUsage } from '../bench/inspector-gc.ts';

/** Env for startGateway that opens the inspector on a free loopback port. */
export const INSPECT_ENV: Record<string, string> = { NODE_OPTIONS: '--inspect=127.0.0.1:0' };

const MiB = 1024 * 1024;

/** process.memoryUsage() of the gateway after two full GCs, in MiB. */
export async function gatewayMemory(gw: GatewayProcess): Promise<{ heapUsedMiB: number; rssMiB: number; raw: MemoryUsage }> {
  const url = inspectorUrlFrom(gw.stderr());
  if (url === undefined) throw new Error(`the gateway has no inspector (start it with INSPECT_ENV); stderr: ${gw.stderr()}`);
  const raw = await collectGarbage(url);
  return { heapUsedMiB: raw.heapUsed / MiB, rssMiB: raw.rss / MiB, raw };
}
