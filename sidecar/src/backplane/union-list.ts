// The `list` answer over every live replica: each replica's connections grouped by user, merged, each with its pod (SPEC A8). Pure.
import type { ListableConnection, UserConnections } from '../hub/connection-list.ts';
import type { DirectoryEntry } from './messages.ts';
import { compareCodeUnits } from '../compare-code-units.ts';

/** A directory entry read from Redis, in the shape `buildConnectionList` takes. */
export function toListable(connId: string, entry: DirectoryEntry): ListableConnection {
  return { info: { connId, userName: entry.user, accessPublic: entry.public, userAgent: entry.userAgent, connectedAt: entry.connectedAt, path: entry.path } };
}

/** Merges per-replica lists (each built with its pod) into one, grouped by user name and sorted like a single replica's. */
export function mergeConnectionLists(lists: readonly UserConnections[][]): UserConnections[] {
  const byUser = new Map<string, UserConnections>();
  for (const list of lists) {
    for (const user of list) {
      const entry = byUser.get(user.name);
      if (!entry) {
        byUser.set(user.name, { ...user, conns: [...user.conns], public_conns: [...user.public_conns] });
        continue;
      }
      entry.conns.push(...user.conns);
      entry.conns_number += user.conns_number;
      entry.public_conns.push(...user.public_conns);
      entry.public_conns_number += user.public_conns_number;
    }
  }
  return [...byUser.values()].sort((a, b) => compareCodeUnits(a.name, b.name));
}
