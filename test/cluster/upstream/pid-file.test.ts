// Lock files naming their holder: held while the holder lives, taken over once it is dead.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { isPidFileHeld, tryTakePidFile } from './pid-file.ts';

test('a pid file is held by a live process and taken over from a dead one', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'pid-file-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const path = join(dir, 'lock');
  assert.equal(await tryTakePidFile(path), true);
  assert.equal(await readFile(path, 'utf8'), String(process.pid));
  assert.equal(await isPidFileHeld(path), true);
  assert.equal(await tryTakePidFile(path), false, 'held by this (live) process');
  // A process that has exited: its pid is free (and not reused this quickly).
  const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout;
  await writeFile(path, dead);
  assert.equal(await isPidFileHeld(path), false);
  assert.equal(await tryTakePidFile(path), true, 'a dead holder\'s file is taken over');
  assert.equal(await readFile(path, 'utf8'), String(process.pid));
});
