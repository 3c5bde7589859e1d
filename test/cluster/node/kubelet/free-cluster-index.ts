// For tests: a cluster network index (200–254) whose bridge does not exist on this machine right now.
import { execFileSync } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { parseLinkNames } from './pod-network-names.ts';

export function freeClusterIndex(): number {
  const links = new Set(parseLinkNames(execFileSync('ip', ['-o', 'link', 'show'], { encoding: 'utf8' })));
  for (let i = 0; i < 100; i++) {
    const index = 200 + randomInt(55);
    if (!links.has(`taprbr${index}`)) return index;
  }
  throw new Error('no free cluster index in 200-254');
}
