// The connections of this process, indexed by id, user, token and channel, with the counts /stats reports. In-memory, no I/O.
import { ChannelIndex, type ChannelMember } from './channel-index.ts';
import type { Addressable, ConnectionIndex } from './targets.ts';

export interface RegistryCounts {
  connections: number;
  /** Distinct non-empty user names. */
  users: number;
  publicConnections: number;
  anonymousConnections: number;
}

export class ConnectionRegistry<C extends Addressable & ChannelMember> implements ConnectionIndex<C> {
  /** Memberships (SPEC A10); a removed connection has left all its channels. */
  readonly channels: ChannelIndex<C>;
  readonly #byId = new Map<string, C>();
  readonly #byUser = new Map<string, Set<C>>();
  // Most tokens belong to one connection (public ones are random per connection): store it directly
  // and make a Set only when a second connection shares the token. Saves a Set per connection.
  readonly #byToken = new Map<string, C | Set<C>>();
  #publicConnections = 0;

  /** `maxChannelsPerConnection`: WS_MAX_CHANNELS_PER_CONNECTION. */
  constructor(maxChannelsPerConnection = 128) {
    this.channels = new ChannelIndex(maxChannelsPerConnection);
  }

  add(connection: C): void {
    const { connId, userName, token, accessPublic } = connection.info;
    this.#byId.set(connId, connection);
    addTo(this.#byUser, userName, connection);
    const existing = this.#byToken.get(token);
    if (existing === undefined) this.#byToken.set(token, connection);
    else if (existing instanceof Set) existing.add(connection);
    else this.#byToken.set(token, new Set([existing, connection]));
    if (accessPublic) this.#publicConnections++;
  }

  remove(connection: C): void {
    const { connId, userName, token, accessPublic } = connection.info;
    if (this.#byId.get(connId) !== connection) return;
    this.#byId.delete(connId);
    removeFrom(this.#byUser, userName, connection);
    const byToken = this.#byToken.get(token);
    if (byToken === connection) this.#byToken.delete(token);
    else if (byToken instanceof Set) {
      byToken.delete(connection);
      if (byToken.size === 0) this.#byToken.delete(token);
    }
    if (accessPublic) this.#publicConnections--;
    this.channels.leaveAll(connection);
  }

  byId(connId: string): C | undefined {
    return this.#byId.get(connId);
  }

  byUser(user: string): Iterable<C> {
    return this.#byUser.get(user) ?? [];
  }

  byToken(token: string): Iterable<C> {
    const found = this.#byToken.get(token);
    if (found === undefined) return [];
    return found instanceof Set ? found : [found];
  }

  byChannel(channel: string): Iterable<C> {
    return this.channels.members(channel);
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
