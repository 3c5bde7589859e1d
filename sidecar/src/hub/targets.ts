// Which connections a control API command addresses (SPEC A4, A4.1, A10), as a pure filter over indexed connections.

/** 0: all, 1: only connections with an auth_token cookie, 2: only public ones (Olares `users_access_type`). */
export type AccessType = 0 | 1 | 2;

/** Targets combine with AND; an empty list or string counts as not given. Exceptions remove from what the others matched. */
export interface Targets {
  connIds?: readonly string[];
  users?: readonly string[];
  tokens?: readonly string[];
  /** Connections in any of these channels (SPEC A10). */
  channels?: readonly string[];
  exceptConns?: readonly string[];
  exceptUsers?: readonly string[];
  accessType: AccessType;
}

export interface Addressable {
  info: { connId: string; userName: string; token: string; accessPublic: boolean };
  /** The channels it is in (undefined: none). */
  channels?: Set<string> | undefined;
}

export interface ConnectionIndex<C extends Addressable> {
  byId(connId: string): C | undefined;
  byUser(user: string): Iterable<C>;
  byToken(token: string): Iterable<C>;
  byChannel(channel: string): Iterable<C>;
}

/** Whether anything is selected at all: exceptions alone are not a target. */
export function hasTarget(targets: Targets): boolean {
  return [targets.connIds, targets.users, targets.tokens, targets.channels].some((values) => nonEmpty(values) !== undefined);
}

/** The connections that match every given target and no exception, each once; none when no target is given. */
export function selectTargets<C extends Addressable>(index: ConnectionIndex<C>, targets: Targets): C[] {
  const connIds = nonEmpty(targets.connIds);
  const users = nonEmpty(targets.users);
  const tokens = nonEmpty(targets.tokens);
  const channels = nonEmpty(targets.channels);
  const exceptConns = nonEmpty(targets.exceptConns);
  const exceptUsers = nonEmpty(targets.exceptUsers);
  // Start from the most selective index, then filter by the rest: never a scan of every connection. A connection has
  // one id, one user and one token, so distinct keys of those indexes never yield it twice; it may be in several channels.
  let candidates: Iterable<C>[];
  let source: 'conns' | 'users' | 'tokens' | 'channels';
  if (connIds) [source, candidates] = ['conns', [[...connIds].map((id) => index.byId(id)).filter((c): c is C => c !== undefined)]];
  else if (users) [source, candidates] = ['users', [...users].map((user) => index.byUser(user))];
  else if (tokens) [source, candidates] = ['tokens', [...tokens].map((token) => index.byToken(token))];
  else if (channels) [source, candidates] = ['channels', [...channels].map((channel) => index.byChannel(channel))];
  else return [];

  const userFilter = source !== 'users' ? users : undefined;
  const tokenFilter = source !== 'tokens' ? tokens : undefined;
  const channelFilter = source !== 'channels' ? channels : undefined;
  const seen = source === 'channels' && candidates.length > 1 ? new Set<C>() : undefined;
  const selected: C[] = [];
  for (const group of candidates) {
    for (const candidate of group) {
      const { connId, userName, token, accessPublic } = candidate.info;
      if (userFilter && !userFilter.has(userName)) continue;
      if (tokenFilter && !tokenFilter.has(token)) continue;
      if (channelFilter && !inAny(candidate.channels, channelFilter)) continue;
      if (targets.accessType === 1 && accessPublic) continue;
      if (targets.accessType === 2 && !accessPublic) continue;
      if (exceptConns?.has(connId) || exceptUsers?.has(userName)) continue;
      if (seen) {
        if (seen.has(candidate)) continue;
        seen.add(candidate);
      }
      selected.push(candidate);
    }
  }
  return selected;
}

function inAny(own: Set<string> | undefined, wanted: Set<string>): boolean {
  if (own === undefined) return false;
  for (const channel of wanted) if (own.has(channel)) return true;
  return false;
}

/** The distinct non-empty values, or undefined when there are none (an empty target counts as not given). */
function nonEmpty(values: readonly string[] | undefined): Set<string> | undefined {
  if (values === undefined) return undefined;
  const given = new Set(values);
  given.delete('');
  return given.size > 0 ? given : undefined;
}
