// The cluster's pod bridge on the host (iproute2): pods' veths attach to it; the host is <hostIp>/24 on it.
// Only the on-link /24 is routed through it, so nothing reaches beyond this machine.
import { execFile } from 'node:child_process';
import type { ClusterNetwork } from './cluster-network.ts';

function ip(args: readonly string[]): Promise<{ ok: boolean; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile('ip', [...args], (error, _stdout, stderr) => {
      if (error && (error as NodeJS.ErrnoException).code === 'ENOENT') {
        reject(new Error('the local cluster needs iproute2 (`ip`) for its pod network: apt-get install iproute2', { cause: error }));
        return;
      }
      resolve({ ok: error === null, stderr: stderr.trim() });
    });
  });
}

async function mustIp(args: readonly string[]): Promise<void> {
  const result = await ip(args);
  if (!result.ok) throw new Error(`ip ${args.join(' ')} failed: ${result.stderr}`);
}

/** All of 198.18.0.0/15 (pods and ClusterIPs of every local cluster). */
export const TEST_NETWORK_RANGE = '198.18.0.0/15';

/**
 * Creates the bridge afresh (a bridge of the same name can only be a leftover: the caller holds the network lease).
 * First makes sure the whole test range is a blackhole on this machine: without it, a pod address whose bridge is gone
 * (or a ClusterIP, never routed here) would follow the default route off the machine. The route stays: it is harmless
 * and protects every later run; the clusters' /24 bridge routes are more specific and win.
 */
export async function createPodBridge(network: ClusterNetwork): Promise<void> {
  await mustIp(['route', 'replace', 'blackhole', TEST_NETWORK_RANGE]);
  await removePodBridge(network);
  await mustIp(['link', 'add', network.bridgeName, 'type', 'bridge']);
  await mustIp(['addr', 'add', `${network.hostIp}/24`, 'dev', network.bridgeName]);
  await mustIp(['link', 'set', network.bridgeName, 'up']);
}

export async function removePodBridge(network: ClusterNetwork): Promise<void> {
  // Absent is fine: removal is idempotent.
  await ip(['link', 'del', network.bridgeName]);
}

/** Bridges of clusters whose lease is no longer held (a killed run): `isHeld(index)` says whether one still runs. */
export async function removeLeftoverBridges(isHeld: (index: number) => Promise<boolean>): Promise<void> {
  const listed = await new Promise<string>((resolve) => {
    execFile('ip', ['-o', 'link', 'show', 'type', 'bridge'], (_error, stdout) => resolve(stdout));
  });
  for (const match of listed.matchAll(/^\d+: taprbr(\d+)[:@]/gm)) {
    const index = Number(match[1]);
    if (!(await isHeld(index))) await ip(['link', 'del', `taprbr${index}`]);
  }
}
