// Takes a free cluster network index (0–255) for this process: a lock file per index naming its holder's pid,
// so clusters started side by side (parallel test files, a demo next to a test run) never share addresses.
import { mkdir, rm } from 'node:fs/promises';
import { isPidFileHeld, tryTakePidFile } from './pid-file.ts';
import { randomInt } from 'node:crypto';
import { join } from 'node:path';
import { tmpdir } from 'node:os';

export interface NetworkLease {
  readonly index: number;
  release(): Promise<void>;
}

const LEASE_DIR = join(tmpdir(), 'tapr-ws-networks');

/** Whether a live process holds the lease of this index. */
export async function isNetworkIndexHeld(index: number): Promise<boolean> {
  return await isPidFileHeld(join(LEASE_DIR, String(index)));
}

export async function leaseNetworkIndex(): Promise<NetworkLease> {
  await mkdir(LEASE_DIR, { recursive: true });
  // Start at a random index so a stale bridge of a killed run is rarely in the way; 0 stays free for by-hand use.
  const start = randomInt(1, 256);
  for (let step = 0; step < 255; step++) {
    const index = 1 + ((start - 1 + step) % 255);
    const path = join(LEASE_DIR, String(index));
    if (await tryTakePidFile(path)) return { index, release: () => rm(path, { force: true }) };
  }
  throw new Error(`no free cluster network: all 255 indexes in ${LEASE_DIR} are held by running processes`);
}
