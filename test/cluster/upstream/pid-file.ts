// Lock files that name their holder's pid (I/O): taken with O_EXCL, free again once the holder is dead.
import { open, readFile, rm, stat } from 'node:fs/promises';

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function create(path: string): Promise<boolean> {
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

/** Whether a live process holds the file. */
export async function isPidFileHeld(path: string): Promise<boolean> {
  const holder = Number(await readFile(path, 'utf8').catch(() => ''));
  return Number.isInteger(holder) && holder > 0 && isAlive(holder);
}

/** Takes the file for this process, or answers false while a live process holds it (a dead holder's file is taken over). */
export async function tryTakePidFile(path: string): Promise<boolean> {
  if (await create(path)) return true;
  if (await isPidFileHeld(path)) return false;
  // Created but not yet filled in by its holder is not stale: give it a few seconds.
  const empty = (await readFile(path, 'utf8').catch(() => '')) === '';
  const age = Date.now() - (await stat(path).catch(() => ({ mtimeMs: Date.now() }))).mtimeMs;
  if (empty && age < 5000) return false;
  await rm(path, { force: true });
  return await create(path);
}
