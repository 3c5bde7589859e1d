// Channel memberships of this process's connections (SPEC A10): channel → members, and each member's own channels. In-memory, no I/O.

/** A connection as the index sees it; `channels` is written by the index only (undefined until the first join). */
export interface ChannelMember {
  info: { connId: string; userName: string };
  channels: Set<string> | undefined;
}

export type JoinOutcome = 'joined' | 'already' | 'refused';

/** One channel's members on this process, for the list and its union over replicas. */
export interface ChannelTally {
  channel: string;
  conns: number;
  /** Distinct user names of the members ("" for anonymous ones). */
  users: string[];
}

export class ChannelIndex<C extends ChannelMember> {
  readonly #members = new Map<string, Set<C>>();
  readonly #maxPerConnection: number;

  /** `maxPerConnection`: WS_MAX_CHANNELS_PER_CONNECTION. */
  constructor(maxPerConnection: number) {
    this.#maxPerConnection = maxPerConnection;
  }

  join(member: C, channel: string): JoinOutcome {
    const own = member.channels;
    if (own?.has(channel)) return 'already';
    if (own !== undefined && own.size >= this.#maxPerConnection) return 'refused';
    (member.channels ??= new Set()).add(channel);
    let members = this.#members.get(channel);
    if (!members) this.#members.set(channel, (members = new Set()));
    members.add(member);
    return 'joined';
  }

  /** true when it was a member. */
  leave(member: C, channel: string): boolean {
    if (!member.channels?.delete(channel)) return false;
    const members = this.#members.get(channel);
    members?.delete(member);
    if (members?.size === 0) this.#members.delete(channel);
    return true;
  }

  /** Leaves every channel (a closing connection, `"all":true`); returns how many it left. */
  leaveAll(member: C): number {
    const own = member.channels;
    if (own === undefined) return 0;
    let left = 0;
    for (const channel of [...own]) if (this.leave(member, channel)) left++;
    return left;
  }

  members(channel: string): Iterable<C> {
    return this.#members.get(channel) ?? [];
  }

  /** Channels with at least one member. */
  get size(): number {
    return this.#members.size;
  }

  /** The channels whose name starts with `prefix`, each with its member count and distinct users. */
  tallies(prefix: string): ChannelTally[] {
    const tallies: ChannelTally[] = [];
    for (const [channel, members] of this.#members) {
      if (!channel.startsWith(prefix)) continue;
      const users = new Set<string>();
      for (const member of members) users.add(member.info.userName);
      tallies.push({ channel, conns: members.size, users: [...users] });
    }
    return tallies;
  }
}
