// Which replicas are alive and which connections each holds (SPEC A8): heartbeat with a TTL, directory writes, reaping dead replicas. I/O on Redis.
import type { Logger } from 'pino';
import type { LogAggregator } from '../observability/log-aggregator.ts';
import type { Connection } from '../connection/connection.ts';
import type { ConnectionRegistry } from '../hub/connection-registry.ts';
import type { BackplaneStats } from './backplane.ts';
import { decodeEntry, encodeEntry, type BackplaneKeys, type DirectoryEntry } from './messages.ts';
import type { RedisClient } from './redis-clients.ts';

/** A replica's presence lives this many heartbeats; a replica that stops beating leaves `list` within this TTL. */
export const heartbeatsPerTtl = 3;

// Removes a replica whose presence expired, atomically, so that a replica coming back (which sets its
// presence first) can never lose the entries it is rewriting. KEYS: alive, conns, users, owners, replicas.
const reapScript = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
local ids = redis.call('HKEYS', KEYS[2])
for i = 1, #ids, 1000 do
  redis.call('HDEL', KEYS[4], unpack(ids, i, math.min(i + 999, #ids)))
end
redis.call('DEL', KEYS[2], KEYS[3])
redis.call('SREM', KEYS[5], ARGV[1])
return 1`;

export interface PresenceOptions {
  /** The current command connection (it is replaced when a frozen Redis is torn down). */
  client: () => RedisClient;
  keys: BackplaneKeys;
  replicaId: string;
  heartbeatMs: number;
  registry: ConnectionRegistry<Connection>;
  log: Logger;
  failureLog: LogAggregator;
}

export interface Presence {
  /** Replica ids alive at the last heartbeat, this one included. */
  readonly knownAlive: readonly string[];
  stats(connected: boolean): BackplaneStats;
  opened(connection: Connection): void;
  closed(connection: Connection): void;
  /** Rewrites this replica's entries from the local registry (after every (re)connection). */
  register(): Promise<void>;
  /** Refreshes this replica's presence, reaps dead replicas and recounts the union. */
  beat(): Promise<void>;
  /** The replicas alive now, read from Redis (for `list`). */
  aliveNow(): Promise<string[]>;
  /** The directory entries of one replica. */
  entriesOf(replicaId: string): Promise<Map<string, DirectoryEntry>>;
  /** Where direct commands for these connections must go (undefined: unknown connection). */
  ownersOf(connIds: readonly string[]): Promise<(string | undefined)[]>;
  /** Removes this replica from the shared view (graceful shutdown). */
  leave(): Promise<void>;
}

export function createPresence(options: PresenceOptions): Presence {
  const { keys, replicaId: me, registry, log, failureLog } = options;
  const client = options.client;
  const ttlMs = options.heartbeatMs * heartbeatsPerTtl;
  let knownAlive: string[] = [me];
  let union = { replicas: 0, users: 0, connections: 0 };

  const entryOf = (connection: Connection) => encodeEntry({
    user: connection.info.userName,
    userAgent: connection.info.userAgent,
    connectedAt: connection.info.connectedAt,
    public: connection.info.accessPublic,
    path: connection.info.path,
  });
  const failed = (what: string) => (error: unknown) => log.debug({ err: error }, `backplane: ${what} not written (the next registration rewrites it)`);

  async function aliveNow(): Promise<string[]> {
    const ids = await client().sMembers(keys.replicas);
    if (ids.length === 0) return [];
    const presence = await client().mGet(ids.map((id) => keys.alive(id)));
    const alive: string[] = [];
    const dead: string[] = [];
    ids.forEach((id, i) => (presence[i] === null ? dead : alive).push(id));
    for (const id of dead) {
      await client().eval(reapScript, { keys: [keys.alive(id), keys.connections(id), keys.users(id), keys.owners, keys.replicas], arguments: [id] });
    }
    return alive.sort();
  }

  async function register(): Promise<void> {
    const previous = await client().hKeys(keys.connections(me));
    // Snapshot and write in one transaction, with nothing awaited in between, so that opens and closes
    // issued later on the same connection apply after it.
    const entries: Record<string, string> = {};
    const owners: Record<string, string> = {};
    const users = new Set<string>();
    for (const connection of registry.all()) {
      entries[connection.info.connId] = entryOf(connection);
      owners[connection.info.connId] = me;
      if (connection.info.userName !== '') users.add(connection.info.userName);
    }
    const stale = previous.filter((id) => registry.byId(id) === undefined);
    const multi = client().multi()
      .set(keys.alive(me), String(Date.now()), { expiration: { type: 'PX', value: ttlMs } })
      .sAdd(keys.replicas, me)
      .del([keys.connections(me), keys.users(me)]);
    if (stale.length > 0) multi.hDel(keys.owners, stale);
    if (Object.keys(entries).length > 0) multi.hSet(keys.connections(me), entries).hSet(keys.owners, owners);
    if (users.size > 0) multi.sAdd(keys.users(me), [...users]);
    await multi.exec();
    log.info({ connections: Object.keys(entries).length }, 'backplane: replica registered');
  }

  return {
    get knownAlive() {
      return knownAlive;
    },
    stats(connected) {
      return { connected, ...union };
    },
    opened(connection) {
      const { connId, userName } = connection.info;
      const writes: Promise<unknown>[] = [client().hSet(keys.connections(me), connId, entryOf(connection)), client().hSet(keys.owners, connId, me)];
      if (userName !== '' && registry.connectionsOfUser(userName) === 1) writes.push(client().sAdd(keys.users(me), userName));
      Promise.all(writes).catch(failed('open'));
    },
    closed(connection) {
      const { connId, userName } = connection.info;
      const writes: Promise<unknown>[] = [client().hDel(keys.connections(me), connId), client().hDel(keys.owners, connId)];
      if (userName !== '' && registry.connectionsOfUser(userName) === 0) writes.push(client().sRem(keys.users(me), userName));
      Promise.all(writes).catch(failed('close'));
    },
    register,
    async beat() {
      // GET returns the previous presence: none means others may have reaped this replica (it was
      // unreachable longer than the TTL), so it registers its connections again.
      const previous = await client().set(keys.alive(me), String(Date.now()), { expiration: { type: 'PX', value: ttlMs }, GET: true });
      if (previous === null) await register();
      const alive = await aliveNow();
      knownAlive = alive.includes(me) ? alive : [...alive, me].sort();
      const [users] = await client().multi()
        .sUnionStore(keys.scratch(me), knownAlive.map((id) => keys.users(id)))
        .del(keys.scratch(me))
        .exec();
      const lengths = await Promise.all(knownAlive.map((id) => client().hLen(keys.connections(id))));
      union = { replicas: knownAlive.length, users: typeof users === 'number' ? users : 0, connections: lengths.reduce((a, b) => a + b, 0) };
    },
    aliveNow,
    async entriesOf(replicaId) {
      const raw = await client().hGetAll(keys.connections(replicaId));
      const entries = new Map<string, DirectoryEntry>();
      for (const [connId, text] of Object.entries(raw)) {
        const entry = decodeEntry(text);
        if (entry) entries.set(connId, entry);
        else failureLog.report('GW_ERR_BACKPLANE_ENTRY', 'warn', { replica: replicaId, code: 'GW_ERR_BACKPLANE_MESSAGE' }, 'backplane: skipped an invalid directory entry');
      }
      return entries;
    },
    async ownersOf(connIds) {
      const owners = await client().hmGet(keys.owners, [...connIds]);
      return owners.map((owner) => owner ?? undefined);
    },
    async leave() {
      await client().del(keys.alive(me));
      await client().eval(reapScript, { keys: [keys.alive(me), keys.connections(me), keys.users(me), keys.owners, keys.replicas], arguments: [me] });
    },
  };
}
