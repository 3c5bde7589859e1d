// The connections of this process, indexed by id, user and token, with the counts /stats reports. In-memory, no I/O.
import type { Addressable, ConnectionIndex } from './targets.ts';

export interface RegistryCounts {
  connections: number;
  /** Distinct non-empty user names. */
  users: number;
  publicConnections: number;
  anonymousConnections: number;
}

export class ConnectionRegistry<C extends Addressable> implements ConnectionIndex<C> {
  readonly #byId = new Map<string, C>();
  readonly #byUser = new Map<string, Set<C>>();
  readonly #byToken = new Map<string, Set<C>>();
  #publicConnections = 0;

  add(connection: C): void {
    const { connId, userName, token, accessPublic } = connection.info;
    this.#byId.set(connId, connection);
    addTo(this.#byUser, userName, connection);
    addTo(this.#byToken, token, connection);
    if (accessPublic) this.#publicConnections++;
  }

  remove(connection: C): void {
    const { connId, userName, token, accessPublic } = connection.info;
    if (this.#byId.get(connId) !== connection) return;
    this.#byId.delete(connId);
    removeFrom(this.#byUser, userName, connection);
    removeFrom(this.#byToken, token, connection);
    if (accessPublic) this.#publicConnections--;
  }

  byId(connId: string): C | undefined {
    return this.#byId.get(connId);
  }

  byUser(user: string): Iterable<C> {
    return this.#byUser.get(user) ?? [];
  }

  byToken(token: string): Iterable<C> {
    return this.#byToken.get(token) ?? [];
  }

  connectionsOfUser(user: string): number {
    return this.#byUser.get(user)?.size ?? 0;
  }

  all(): IterableIterator<C> {
    return this.#byId.values();
  }

  get size(): number {
    return this.#byId.size;
  }

  counts(): RegistryCounts {
    return {
      connections: this.#byId.size,
      users: this.#byUser.size - (this.#byUser.has('') ? 1 : 0),
      publicConnections: this.#publicConnections,
      anonymousConnections: this.connectionsOfUser(''),
    };
  }
}

function addTo<C>(index: Map<string, Set<C>>, key: string, connection: C): void {
  let set = index.get(key);
  if (!set) index.set(key, (set = new Set()));
  set.add(connection);
}

function removeFrom<C>(index: Map<string, Set<C>>, key: string, connection: C): void {
  const set = index.get(key);
  if (!set) return;
  set.delete(connection);
  if (set.size === 0) index.delete(key);
}
