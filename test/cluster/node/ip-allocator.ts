// Pure: pod IPs from a loopback range (127.1.0.0/16 by default), one per pod, reused after release (never .0 or the
// broadcast address of the range).
export class IpAllocator {
  private readonly base: number;
  private readonly size: number;
  private next = 1;
  private readonly used = new Map<string, number>();
  private readonly taken = new Set<number>();

  /** `start`: the first offset tried (clusters running side by side start at random places to avoid sharing IPs). */
  constructor(cidr = '127.1.0.0/16', start = 1) {
    const [ip, bits] = cidr.split('/');
    const parts = ip!.split('.').map(Number);
    this.base = ((parts[0]! << 24) | (parts[1]! << 16) | (parts[2]! << 8) | parts[3]!) >>> 0;
    this.size = 2 ** (32 - Number(bits));
    this.next = Math.min(Math.max(1, start), this.size - 2);
  }

  /** The IP for `owner` (the same one while it holds it). */
  allocate(owner: string): string {
    const have = this.used.get(owner);
    if (have !== undefined) return this.format(have);
    for (let i = 0; i < this.size - 2; i++) {
      const offset = ((this.next - 1 + i) % (this.size - 2)) + 1;
      if (this.taken.has(offset)) continue;
      this.taken.add(offset);
      this.used.set(owner, offset);
      this.next = offset + 1;
      return this.format(offset);
    }
    throw new Error('no free pod IP left');
  }

  release(owner: string): void {
    const offset = this.used.get(owner);
    if (offset === undefined) return;
    this.used.delete(owner);
    this.taken.delete(offset);
  }

  private format(offset: number): string {
    const n = (this.base + offset) >>> 0;
    return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
  }
}
