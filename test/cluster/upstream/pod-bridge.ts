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

/** Creates the bridge afresh (a bridge of the same name can only be a leftover: the caller holds the network lease). */
export async function createPodBridge(network: ClusterNetwork): Promise<void> {
  await removePodBridge(network);
  await mustIp(['link', 'add', network.bridgeName, 'type', 'bridge']);
  await mustIp(['addr', 'add', `${network.hostIp}/24`, 'dev', network.bridgeName]);
  await mustIp(['link', 'set', network.bridgeName, 'up']);
}

export async function removePodBridge(network: ClusterNetwork): Promise<void> {
  // Absent is fine: removal is idempotent.
  await ip(['link', 'del', network.bridgeName]);
}
