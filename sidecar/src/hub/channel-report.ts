// Builds the channel `list` and `presence` answers (SPEC A10) from one or several replicas' tallies and members. Pure.
import type { ChannelTally } from './channel-index.ts';
import { compareCodeUnits } from '../compare-code-units.ts';

export interface ChannelListEntry {
  channel: string;
  conns_number: number;
  /** Distinct non-empty user names over every replica (anonymous members count in `conns_number` only, as in /stats). */
  users_number: number;
}

/** One member of a channel, as a replica reports it. */
export interface PresenceMember {
  user: string;
  connId: string;
  /** Epoch milliseconds. */
  connectedAt: number;
  /** The replica that holds it (with the backplane, or POD_NAME). */
  pod?: string;
}

export interface PresenceConnection {
  id: string;
  connectedAt: string;
  pod?: string;
}

export interface ChannelPresence {
  channel: string;
  conns_number: number;
  users: { name: string; conns: PresenceConnection[] }[];
}

/** Merges per-replica tallies: connections add up, a user on several replicas counts once. Sorted by channel name. */
export function buildChannelList(tallies: Iterable<readonly ChannelTally[]>): ChannelListEntry[] {
  const merged = new Map<string, { conns: number; users: Set<string> }>();
  for (const replica of tallies) {
    for (const tally of replica) {
      let entry = merged.get(tally.channel);
      if (!entry) merged.set(tally.channel, (entry = { conns: 0, users: new Set() }));
      entry.conns += tally.conns;
      for (const user of tally.users) if (user !== '') entry.users.add(user);
    }
  }
  return [...merged].sort(([a], [b]) => compareCodeUnits(a, b)).map(([channel, entry]) => ({ channel, conns_number: entry.conns, users_number: entry.users.size }));
}

/** Groups members by user (sorted by name, then by connection time), each connection with its pod when known. */
export function buildPresence(channel: string, members: Iterable<PresenceMember>): ChannelPresence {
  const byUser = new Map<string, PresenceMember[]>();
  let conns = 0;
  for (const member of members) {
    conns++;
    let list = byUser.get(member.user);
    if (!list) byUser.set(member.user, (list = []));
    list.push(member);
  }
  const users = [...byUser].sort(([a], [b]) => compareCodeUnits(a, b)).map(([name, list]) => ({
    name,
    conns: list.sort((a, b) => a.connectedAt - b.connectedAt || compareCodeUnits(a.connId, b.connId)).map((member) => {
      const listed: PresenceConnection = { id: member.connId, connectedAt: new Date(member.connectedAt).toISOString() };
      if (member.pod !== undefined) listed.pod = member.pod;
      return listed;
    }),
  }));
  return { channel, conns_number: conns, users };
}
