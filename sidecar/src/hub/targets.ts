// Which connections a control API command addresses (SPEC A4, A4.1), as a pure filter over indexed connections.

/** 0: all, 1: only connections with an auth_token cookie, 2: only public ones (Olares `users_access_type`). */
export type AccessType = 0 | 1 | 2;

/** Targets combine with AND; an empty list or string counts as not given. */
export interface Targets {
  connIds?: readonly string[];
  users?: readonly string[];
  tokens?: readonly string[];
  accessType: AccessType;
}

export interface Addressable {
  info: { connId: string; userName: string; token: string; accessPublic: boolean };
}

export interface ConnectionIndex<C extends Addressable> {
  byId(connId: string): C | undefined;
  byUser(user: string): Iterable<C>;
  byToken(token: string): Iterable<C>;
}

export function hasTarget(targets: Targets): boolean {
  return nonEmpty(targets.connIds) !== undefined || nonEmpty(targets.users) !== undefined || nonEmpty(targets.tokens) !== undefined;
}

/** The connections that match every given target, each once; none when no target is given. */
export function selectTargets<C extends Addressable>(index: ConnectionIndex<C>, targets: Targets): C[] {
  const connIds = nonEmpty(targets.connIds);
  const users = nonEmpty(targets.users);
  const tokens = nonEmpty(targets.tokens);
  // Start from the most selective index, then filter by the rest. A connection has one id, one user and
  // one token, so distinct keys of one index can never yield the same connection twice.
  let candidates: Iterable<C>[];
  if (connIds) candidates = [[...connIds].map((id) => index.byId(id)).filter((c): c is C => c !== undefined)];
  else if (users) candidates = [...users].map((user) => index.byUser(user));
  else if (tokens) candidates = [...tokens].map((token) => index.byToken(token));
  else return [];

  const userFilter = connIds && users;
  const tokenFilter = (connIds || users) && tokens;
  const selected: C[] = [];
  for (const group of candidates) {
    for (const candidate of group) {
      const { userName, token, accessPublic } = candidate.info;
      if (userFilter && !userFilter.has(userName)) continue;
      if (tokenFilter && !tokenFilter.has(token)) continue;
      if (targets.accessType === 1 && accessPublic) continue;
      if (targets.accessType === 2 && !accessPublic) continue;
      selected.push(candidate);
    }
  }
  return selected;
}

/** The distinct non-empty values, or undefined when there are none (an empty target counts as not given). */
function nonEmpty(values: readonly string[] | undefined): Set<string> | undefined {
  if (values === undefined) return undefined;
  const given = new Set(values);
  given.delete('');
  return given.size > 0 ? given : undefined;
}
