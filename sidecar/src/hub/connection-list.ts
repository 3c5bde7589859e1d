// Builds the control API `list` answer: connections grouped by user, split by auth cookie, without tokens (SPEC A4). Pure.
import { compareCodeUnits } from '../compare-code-units.ts';

export interface ListedConnection {
  id: string;
  userAgent: string;
  connectedAt: string;
  /** The endpoint it connected to (SPEC A11), e.g. `/ws/chat`. */
  path: string;
  /** Set by the backplane (SPEC A8): the pod that holds the connection. */
  pod?: string;
}

export interface UserConnections {
  name: string;
  conns: ListedConnection[];
  conns_number: number;
  public_conns: ListedConnection[];
  public_conns_number: number;
}

export interface ListableConnection {
  info: { connId: string; userName: string; accessPublic: boolean; userAgent: string; connectedAt: number; path: string };
}

export function buildConnectionList(connections: Iterable<ListableConnection>, pod?: string): UserConnections[] {
  const byUser = new Map<string, UserConnections>();
  for (const { info } of connections) {
    let entry = byUser.get(info.userName);
    if (!entry) {
      entry = { name: info.userName, conns: [], conns_number: 0, public_conns: [], public_conns_number: 0 };
      byUser.set(info.userName, entry);
    }
    const listed: ListedConnection = { id: info.connId, userAgent: info.userAgent, connectedAt: new Date(info.connectedAt).toISOString(), path: info.path };
    if (pod !== undefined) listed.pod = pod;
    if (info.accessPublic) {
      entry.public_conns.push(listed);
      entry.public_conns_number++;
    } else {
      entry.conns.push(listed);
      entry.conns_number++;
    }
  }
  return [...byUser.values()].sort((a, b) => compareCodeUnits(a.name, b.name));
}
