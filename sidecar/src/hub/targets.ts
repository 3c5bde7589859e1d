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
  // Start from the most selective index, then filter by the rest.
  let candidates: Iterable<C>;
  if (connIds) candidates = connIds.map((id) => index.byId(id)).filter((c): c is C => c !== undefined);
  else if (users) candidates = users.flatMap((user) => [...index.byUser(user)]);
  else if (tokens) candidates = tokens.flatMap((token) => [...index.byToken(token)]);
  else return [];

  const userSet = users && new Set(users);
  const tokenSet = tokens && new Set(tokens);
  const selected = new Set<C>();
  for (const candidate of candidates) {
    const { userName, token, accessPublic } = candidate.info;
    if (userSet && !userSet.has(userName)) continue;
    if (tokenSet && !tokenSet.has(token)) continue;
    if (targets.accessType === 1 && accessPublic) continue;
    if (targets.accessType === 2 && !accessPublic) continue;
    selected.add(candidate);
  }
  return [...selected];
}

function nonEmpty(values: readonly string[] | undefined): string[] | undefined {
  const given = values?.filter((v) => v !== '');
  return given && given.length > 0 ? given : undefined;
}
