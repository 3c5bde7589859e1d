// Pure: the names and addresses of one cluster's pod network — netns `tapr-<index>-<slot>`, host veth
// `tapr<index>v<slot>`, pod IP 198.18.<index>.<slot> — so a later run can find and remove what a dead one left.
import type { ClusterNetwork } from '../../upstream/cluster-network.ts';

/** Slots 2–254 of the /24 (.1 is the host's bridge address). */
export const FIRST_POD_SLOT = 2;
export const LAST_POD_SLOT = 254;

export function podNetnsName(index: number, slot: number): string {
  return `tapr-${index}-${slot}`;
}

export function podHostVethName(index: number, slot: number): string {
  return `tapr${index}v${slot}`;
}

export function isOwnNetns(index: number, name: string): boolean {
  return new RegExp(`^tapr-${index}-\\d+$`).test(name);
}

export function isOwnHostVeth(index: number, name: string): boolean {
  return new RegExp(`^tapr${index}v\\d+$`).test(name);
}

export function podIpForSlot(network: ClusterNetwork, slot: number): string {
  if (!Number.isInteger(slot) || slot < FIRST_POD_SLOT || slot > LAST_POD_SLOT) throw new Error(`pod slot must be ${FIRST_POD_SLOT}-${LAST_POD_SLOT}, got ${slot}`);
  return network.hostIp.replace(/\.1$/, `.${slot}`);
}

/** The prefix length of the pod range (`198.18.7.0/24` → 24). */
export function podPrefixLength(network: ClusterNetwork): number {
  return Number(network.podCidr.split('/')[1]);
}

/** `ip netns list` output → names (`tapr-7-3 (id: 4)` → `tapr-7-3`). */
export function parseNetnsList(text: string): string[] {
  return text.split('\n').map((l) => l.trim().split(/\s+/)[0] ?? '').filter((n) => n !== '');
}

/** `ip -o link show` output → interface names (`12: tapr7v3@if2: <…>` → `tapr7v3`). */
export function parseLinkNames(text: string): string[] {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    const m = /^\d+:\s+([^:@\s]+)/.exec(line);
    if (m !== null) out.push(m[1]!);
  }
  return out;
}

/**
 * The argv that runs `argv` inside the pod's network namespace (none: the host's, for hostNetwork pods) and a private mount namespace, with `tokenDir` bound
 * read-only at `mountPath` when given (the ServiceAccount token volume). Every step execs, so the pid is the process's.
 */
export function buildPodCommand(o: { netns: string | undefined; argv: readonly string[]; tokenDir?: string; mountPath?: string }): string[] {
  const unshare = ['unshare', '--mount', '--propagation', 'private', '--'];
  const inNetns = o.netns === undefined ? unshare : ['ip', 'netns', 'exec', o.netns, ...unshare];
  if (o.tokenDir === undefined || o.mountPath === undefined) return [...inNetns, ...o.argv];
  const script = 'mount --bind -o ro "$1" "$2" || exit 126; shift 2; exec "$@"';
  return [...inNetns, '/bin/sh', '-c', script, 'sh', o.tokenDir, o.mountPath, ...o.argv];
}
