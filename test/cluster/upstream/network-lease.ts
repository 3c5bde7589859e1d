// Takes a free cluster network index (0–255) for this process: a lock file per index naming its holder's pid,
// so clusters started side by side (parallel test files, a demo next to a test run) never share addresses.
import { mkdir, open, readFile, rm } from 'node:fs/promises';
import { randomInt } from 'node:crypto';
import { join } from 'node:path';
import { tmpdir } from 'node:os';

export interface NetworkLease {
  readonly index: number;
  release(): Promise<void>;
}

const LEASE_DIR = join(tmpdir(), 'tapr-ws-networks');

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function tryTake(path: string): Promise<boolean> {
  try {
    const handle = await open(path, 'wx');
    await handle.writeFile(String(process.pid));
    await handle.close();
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return false;
  }
}

/** Whether a live process holds the lease of this index. */
export async function isNetworkIndexHeld(index: number): Promise<boolean> {
  const holder = Number(await readFile(join(LEASE_DIR, String(index)), 'utf8').catch(() => ''));
  return Number.isInteger(holder) && holder > 0 && isAlive(holder);
}

export async function leaseNetworkIndex(): Promise<NetworkLease> {
  await mkdir(LEASE_DIR, { recursive: true });
  // Start at a random index so a stale bridge of a killed run is rarely in the way; 0 stays free for by-hand use.
  const start = randomInt(1, 256);
  for (let step = 0; step < 255; step++) {
    const index = 1 + ((start - 1 + step) % 255);
    const path = join(LEASE_DIR, String(index));
    if (!(await tryTake(path))) {
      const holder = Number(await readFile(path, 'utf8').catch(() => ''));
      if (Number.isInteger(holder) && holder > 0 && isAlive(holder)) continue;
      await rm(path, { force: true });
      if (!(await tryTake(path))) continue;
    }
    return { index, release: () => rm(path, { force: true }) };
  }
  throw new Error(`no free cluster network: all 255 indexes in ${LEASE_DIR} are held by running processes`);
}
