// The pod network of one cluster (I/O, needs root): a Linux bridge with the host's address, and per pod a network
// namespace with a veth to the bridge, `lo` up and only the on-link /24 (no default route, so nothing leaves the
// machine). Removes what an earlier run with the same cluster index left behind, and everything on stop or exit.
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import type { ClusterNetwork } from '../../upstream/cluster-network.ts';
import {
  FIRST_POD_SLOT, LAST_POD_SLOT, isOwnHostVeth, isOwnNetns, parseLinkNames, parseNetnsList, podHostVethName, podIpForSlot,
  podNetnsName, podPrefixLength,
} from './pod-network-names.ts';

const run = promisify(execFile);

async function ip(args: string[]): Promise<string> {
  try {
    return (await run('ip', args, { encoding: 'utf8' })).stdout;
  } catch (err) {
    const stderr = (err as { stderr?: string }).stderr?.trim() ?? '';
    throw new Error(`ip ${args.join(' ')} failed: ${stderr || String(err)}`, { cause: err });
  }
}

export interface PodNetworkAttachment {
  readonly netns: string;
  readonly podIP: string;
  readonly slot: number;
}

/** Kills the processes left in a namespace and deletes it (synchronously: also used on process exit). */
function removeNetnsSync(netns: string): void {
  try {
    const pids = execFileSync('ip', ['netns', 'pids', netns], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    for (const pid of pids.split('\n').map(Number).filter((n) => n > 0)) {
      try { process.kill(pid, 'SIGKILL'); } catch { /* already gone */ }
    }
  } catch { /* the namespace is gone or empty */ }
  try { execFileSync('ip', ['netns', 'del', netns], { stdio: 'ignore' }); } catch { /* already gone */ }
}

function removeLinkSync(name: string): void {
  try { execFileSync('ip', ['link', 'del', name], { stdio: 'ignore' }); } catch { /* already gone */ }
}

export class PodNetwork {
  readonly network: ClusterNetwork;
  private readonly attached = new Map<string, PodNetworkAttachment>();
  private readonly slots = new Set<number>();
  private nextSlot = FIRST_POD_SLOT;
  private started = false;
  /** Whether this pod network made the bridge (and so removes it). */
  private ownsBridge = false;
  private readonly onExit = (): void => this.removeAllSync();

  private constructor(network: ClusterNetwork) {
    this.network = network;
  }

  /**
   * Cleans leftovers of this cluster index (namespaces, veths), then uses the bridge: the control plane's if it made
   * one (then it stays when the pod network stops), else a new one with the host's address (removed on stop).
   */
  static async start(network: ClusterNetwork): Promise<PodNetwork> {
    const n = new PodNetwork(network);
    PodNetwork.removeLeftovers(network);
    process.on('exit', n.onExit);
    n.started = true;
    try {
      const links = parseLinkNames(await ip(['-o', 'link', 'show']));
      if (!links.includes(network.bridgeName)) {
        await ip(['link', 'add', network.bridgeName, 'type', 'bridge']);
        n.ownsBridge = true;
      }
      const addresses = await ip(['-o', '-4', 'addr', 'show', 'dev', network.bridgeName]);
      if (!addresses.includes(` ${network.hostIp}/`)) {
        await ip(['addr', 'add', `${network.hostIp}/${podPrefixLength(network)}`, 'dev', network.bridgeName]);
      }
      await ip(['link', 'set', network.bridgeName, 'up']);
    } catch (err) {
      n.stop();
      throw err;
    }
    return n;
  }

  /** What a dead run with this index left: processes in its namespaces, the namespaces, the veths. */
  static removeLeftovers(network: ClusterNetwork): void {
    let names: string[] = [];
    try { names = parseNetnsList(execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' })); } catch { /* no namespaces */ }
    for (const ns of names.filter((x) => isOwnNetns(network.index, x))) removeNetnsSync(ns);
    const links = parseLinkNames(execFileSync('ip', ['-o', 'link', 'show'], { encoding: 'utf8' }));
    for (const l of links.filter((x) => isOwnHostVeth(network.index, x))) removeLinkSync(l);
  }

  /** Creates the pod's namespace and veth, and gives it the next free address. */
  async attach(owner: string): Promise<PodNetworkAttachment> {
    if (!this.started) throw new Error('pod network is stopped');
    const have = this.attached.get(owner);
    if (have !== undefined) return have;
    const slot = this.takeSlot();
    const a: PodNetworkAttachment = { netns: podNetnsName(this.network.index, slot), podIP: podIpForSlot(this.network, slot), slot };
    this.attached.set(owner, a);
    const veth = podHostVethName(this.network.index, slot);
    try {
      await ip(['netns', 'add', a.netns]);
      await ip(['link', 'add', veth, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', a.netns]);
      await ip(['link', 'set', veth, 'master', this.network.bridgeName, 'up']);
      await ip(['-n', a.netns, 'link', 'set', 'lo', 'up']);
      await ip(['-n', a.netns, 'addr', 'add', `${a.podIP}/${podPrefixLength(this.network)}`, 'dev', 'eth0']);
      await ip(['-n', a.netns, 'link', 'set', 'eth0', 'up']);
    } catch (err) {
      this.detach(owner);
      throw err;
    }
    return a;
  }

  /** Removes the pod's namespace (killing anything still in it) and its veth. */
  detach(owner: string): void {
    const a = this.attached.get(owner);
    if (a === undefined) return;
    this.attached.delete(owner);
    removeNetnsSync(a.netns);
    removeLinkSync(podHostVethName(this.network.index, a.slot));
    this.slots.delete(a.slot);
  }

  stop(): void {
    this.started = false;
    process.off('exit', this.onExit);
    this.removeAllSync();
  }

  private removeAllSync(): void {
    for (const owner of [...this.attached.keys()]) {
      const a = this.attached.get(owner)!;
      this.attached.delete(owner);
      removeNetnsSync(a.netns);
      removeLinkSync(podHostVethName(this.network.index, a.slot));
    }
    this.slots.clear();
    PodNetwork.removeLeftovers(this.network);
    if (this.ownsBridge) removeLinkSync(this.network.bridgeName);
    this.ownsBridge = false;
  }

  private takeSlot(): number {
    const count = LAST_POD_SLOT - FIRST_POD_SLOT + 1;
    for (let i = 0; i < count; i++) {
      const slot = FIRST_POD_SLOT + ((this.nextSlot - FIRST_POD_SLOT + i) % count);
      if (this.slots.has(slot)) continue;
      this.slots.add(slot);
      this.nextSlot = slot + 1 > LAST_POD_SLOT ? FIRST_POD_SLOT : slot + 1;
      return slot;
    }
    throw new Error(`no free pod IP left in ${this.network.podCidr}`);
  }
}
