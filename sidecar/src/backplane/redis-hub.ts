// The hub over every replica through Redis (SPEC A8, A10): applies each command locally at once, forwards it, sums or merges the replicas' replies. I/O.
import { randomUUID } from 'node:crypto';
import { buildChannelList, buildPresence } from '../hub/channel-report.ts';
import { buildConnectionList, type UserConnections } from '../hub/connection-list.ts';
import type { BackplaneAnswer, CloseResult, Hub, ReplicaAnswers, SendResult, SubscribeResult, UnsubscribeResult } from '../hub/hub.ts';
import type { Targets } from '../hub/targets.ts';
import type { Backplane, BackplaneFactory } from './backplane.ts';
import { buildKeys, decodeMessage, encodeMessage, zeroCounts, type Command, type Reply, type ReplyCounts } from './messages.ts';
import { createPresence } from './presence.ts';
import { BackplaneTimeoutError, bounded, createRedisClients, type RedisClient } from './redis-clients.ts';
import { mergeConnectionLists, toListable } from './union-list.ts';

interface Pending {
  expected: number;
  replies: Map<string, Reply>;
  done: () => void;
}

export const createRedisBackplane: BackplaneFactory = (options) => {
  const { replicaId: me, registry, localHub, log, failureLog } = options;
  const keys = buildKeys(options.prefix);
  const { timeoutMs } = options;
  const clients = createRedisClients(options.url, timeoutMs, log);
  const presence = createPresence({ client: () => clients.command, keys, replicaId: me, heartbeatMs: options.heartbeatMs, registry, log, failureLog });
  const pending = new Map<string, Pending>();
  let connected = false;
  let heartbeat: NodeJS.Timeout | undefined;
  // A heartbeat's several round trips share one bound; it must not outlast the next heartbeat either.
  const beatBoundMs = Math.max(timeoutMs, options.heartbeatMs);

  /** One Redis round trip (or a short sequence of them) with the WS_BACKPLANE_TIMEOUT_MS bound; a timeout makes us check Redis. */
  async function roundTrip<T>(work: Promise<T>, what: string, boundMs = timeoutMs): Promise<T> {
    try {
      return await bounded(work, boundMs, what);
    } catch (error) {
      if (error instanceof BackplaneTimeoutError) void checkRedis();
      throw error;
    }
  }

  let checking: Promise<void> | undefined;
  /** PINGs both connections (bounded); no answer counts as disconnected: /readyz 503, teardown, reconnect (F4). */
  function checkRedis(): Promise<void> {
    checking ??= (async () => {
      if (await clients.ping()) return;
      connected = false;
      clients.reconnect(`PING not answered within ${timeoutMs} ms`);
    })().finally(() => { checking = undefined; });
    return checking;
  }

  /** Applies a command from another replica to this one's connections, or answers its query with this replica's part. */
  async function applyRemote(command: Command): Promise<void> {
    const reply: Reply = { type: 'reply', id: command.id, from: me, ...zeroCounts() };
    switch (command.type) {
      case 'send':
        Object.assign(reply, await localHub.send(command.targets, command.frame));
        break;
      case 'close':
        reply.closed = (await localHub.close(command.targets, command.cause)).closed;
        break;
      case 'subscribe':
        Object.assign(reply, await localHub.subscribe(command.targets, command.channels));
        break;
      case 'unsubscribe':
        Object.assign(reply, await localHub.unsubscribe(command.targets, command.channels ?? 'all'));
        break;
      case 'channels':
        reply.tallies = localHub.channelTallies(command.prefix);
        break;
      case 'presence':
        reply.members = localHub.presenceMembers(command.channel, me);
        break;
    }
    await roundTrip(clients.command.publish(keys.inbox(command.from), encodeMessage(reply)), 'PUBLISH reply');
  }

  function onMessage(text: string): void {
    const decoded = decodeMessage(text);
    if (!decoded.ok) {
      failureLog.report('GW_ERR_BACKPLANE_MESSAGE', 'warn', { code: 'GW_ERR_BACKPLANE_MESSAGE', err: decoded.error }, 'backplane: ignored an invalid message');
      return;
    }
    const { message } = decoded;
    if (message.type === 'reply') {
      const request = pending.get(message.id);
      if (!request) return;
      request.replies.set(message.from, message);
      if (request.replies.size >= request.expected) request.done();
      return;
    }
    // The origin applied its own command already; this is the echo of its publish.
    if (message.from === me) return;
    applyRemote(message).catch((error: unknown) => log.debug({ err: error }, 'backplane: reply not delivered'));
  }

  /** Publishes a command and waits for the replies of the replicas that received it (bounded by the reply timeout). */
  async function forward(channel: string, command: Command, excludeSelf: boolean): Promise<Map<string, Reply>> {
    const request: Pending = { expected: 0, replies: new Map(), done: () => undefined };
    const finished = new Promise<void>((resolve) => { request.done = resolve; });
    pending.set(command.id, request);
    let timer: NodeJS.Timeout | undefined;
    try {
      const receivers = await roundTrip(clients.command.publish(channel, encodeMessage(command)), 'PUBLISH command');
      request.expected = receivers - (excludeSelf ? 1 : 0);
      if (request.replies.size < request.expected) {
        await Promise.race([finished, new Promise<void>((resolve) => { timer = setTimeout(resolve, options.replyTimeoutMs); })]);
      }
      return request.replies;
    } finally {
      clearTimeout(timer);
      pending.delete(command.id);
    }
  }

  /** Runs a command on every replica that should see it; the local part never waits for Redis. */
  async function run(targets: Targets, local: () => Promise<Partial<ReplyCounts>>, build: (id: string, targets: Targets) => Command): Promise<{ counts: ReplyCounts; answers: ReplicaAnswers; unavailable: boolean }> {
    const counts = { ...zeroCounts(), ...(await local()) };
    const others = presence.knownAlive.filter((id) => id !== me);
    const connIds = targets.connIds?.filter((id) => id !== '') ?? [];
    const direct = connIds.length > 0;
    // A direct command whose connections are all here needs nobody else.
    if (direct && connIds.every((id) => registry.byId(id) !== undefined)) return { counts, answers: { answered: 1, missing: [] }, unavailable: false };
    if (!connected) return { counts, answers: { answered: 1, missing: others }, unavailable: true };

    const replies = new Map<string, Reply>();
    const expectedFrom = new Set<string>();
    let unavailable = false;
    try {
      if (!direct) {
        for (const id of others) expectedFrom.add(id);
        for (const [from, reply] of await forward(keys.commands, build(randomUUID(), targets), true)) replies.set(from, reply);
      } else {
        const remote = connIds.filter((id) => registry.byId(id) === undefined);
        const owners = await roundTrip(presence.ownersOf(remote), 'HMGET owners');
        const byOwner = new Map<string, string[]>();
        remote.forEach((id, i) => {
          const owner = owners[i];
          if (owner !== undefined && owner !== me) byOwner.set(owner, [...(byOwner.get(owner) ?? []), id]);
        });
        await Promise.all([...byOwner].map(async ([owner, ids]) => {
          expectedFrom.add(owner);
          for (const [from, reply] of await forward(keys.inbox(owner), build(randomUUID(), { ...targets, connIds: ids }), false)) replies.set(from, reply);
        }));
      }
    } catch (error) {
      // Redis failed mid-way: what did answer still counts, the rest is reported missing.
      log.debug({ err: error }, 'backplane: command not forwarded');
      unavailable = true;
    }
    for (const reply of replies.values()) {
      for (const name of Object.keys(counts) as (keyof ReplyCounts)[]) counts[name] += reply[name];
    }
    return { counts, answers: { answered: 1 + replies.size, missing: [...expectedFrom].filter((id) => !replies.has(id)).sort() }, unavailable };
  }

  /** Asks every other replica for its part of a query; what did not answer in time is left out. */
  async function ask(build: (id: string) => Command): Promise<Reply[]> {
    if (!connected) return [];
    try {
      return [...(await forward(keys.commands, build(randomUUID()), true)).values()];
    } catch (error) {
      log.debug({ err: error }, 'backplane: query not forwarded');
      return [];
    }
  }

  /** The backplane's fields of an answer: which replicas applied it, and whether Redis was reachable. */
  function withAnswers<T extends BackplaneAnswer>(result: T, answers: ReplicaAnswers, unavailable: boolean): T {
    result.replicas = answers;
    if (unavailable) result.backplane = 'unavailable';
    return result;
  }

  const hub: Hub = {
    async send(targets, frame) {
      const { counts, answers, unavailable } = await run(
        targets,
        () => localHub.send(targets, frame),
        (id, forwarded) => ({ type: 'send', id, from: me, targets: forwarded, frame }),
      );
      return withAnswers<SendResult>({ matched: counts.matched, sent: counts.sent }, answers, unavailable);
    },
    async close(targets, cause) {
      const { counts, answers, unavailable } = await run(
        targets,
        () => localHub.close(targets, cause),
        (id, forwarded) => ({ type: 'close', id, from: me, targets: forwarded, cause }),
      );
      return withAnswers<CloseResult>({ closed: counts.closed }, answers, unavailable);
    },
    async subscribe(targets, channels) {
      const { counts, answers, unavailable } = await run(
        targets,
        () => localHub.subscribe(targets, channels),
        (id, forwarded) => ({ type: 'subscribe', id, from: me, targets: forwarded, channels: [...channels] }),
      );
      return withAnswers<SubscribeResult>({ matched: counts.matched, subscribed: counts.subscribed, refused: counts.refused }, answers, unavailable);
    },
    async unsubscribe(targets, channels) {
      const { counts, answers, unavailable } = await run(
        targets,
        () => localHub.unsubscribe(targets, channels),
        (id, forwarded) => ({ type: 'unsubscribe', id, from: me, targets: forwarded, channels: channels === 'all' ? null : [...channels] }),
      );
      return withAnswers<UnsubscribeResult>({ matched: counts.matched, unsubscribed: counts.unsubscribed }, answers, unavailable);
    },
    async listChannels(prefix) {
      const replies = await ask((id) => ({ type: 'channels', id, from: me, prefix }));
      return buildChannelList([localHub.channelTallies(prefix), ...replies.map((reply) => reply.tallies ?? [])]);
    },
    async presence(channel) {
      const replies = await ask((id) => ({ type: 'presence', id, from: me, channel }));
      return buildPresence(channel, [localHub.presenceMembers(channel, me), ...replies.map((reply) => reply.members ?? [])].flat());
    },
    async list() {
      const lists: UserConnections[][] = [buildConnectionList(registry.all(), me)];
      if (!connected) return lists[0]!;
      try {
        const others = (await roundTrip(presence.aliveNow(), 'reading the live replicas')).filter((id) => id !== me);
        const entries = await roundTrip(Promise.all(others.map((id) => presence.entriesOf(id))), 'reading the directory');
        others.forEach((id, i) => lists.push(buildConnectionList([...entries[i]!].map(([connId, entry]) => toListable(connId, entry)), id)));
      } catch (error) {
        log.debug({ err: error }, 'backplane: list of the other replicas unavailable');
      }
      return mergeConnectionLists(lists);
    },
  };

  /** The subscriber connection our subscriptions are on: a new connection (after a teardown) has none. */
  let subscribedOn: RedisClient | undefined;
  let joining: Promise<void> | undefined;
  /**
   * Subscribes (once: node-redis resubscribes by itself after reconnecting) and registers this replica. One join at a
   * time: the reconnect handler and a heartbeat may both ask, and a second register would race the first.
   */
  function join(): Promise<void> {
    joining ??= (async () => {
      const { subscriber } = clients;
      if (subscribedOn !== subscriber) {
        await roundTrip(subscriber.subscribe([keys.commands, keys.inbox(me)], onMessage), 'SUBSCRIBE');
        subscribedOn = subscriber;
      }
      // Connected before registering: opens and closes from now on are written after the registration's snapshot.
      connected = clients.ready;
      if (connected) await roundTrip(presence.register(), 'registering the replica', beatBoundMs);
    })().finally(() => { joining = undefined; });
    return joining;
  }

  let beating = false;
  async function beat(): Promise<void> {
    if (beating) return;
    beating = true;
    try {
      // Liveness first: a Redis that accepts bytes but never answers looks connected to node-redis.
      if (connected || clients.ready) await checkRedis();
      if (!connected && clients.ready) await join();
      if (connected) await roundTrip(presence.beat(), 'heartbeat', beatBoundMs);
    } catch (error) {
      log.debug({ err: error }, 'backplane: heartbeat failed');
    } finally {
      beating = false;
    }
  }

  const backplane: Backplane = {
    hub,
    get connected() {
      return connected;
    },
    stats: () => presence.stats(connected),
    connectionOpened(connection) {
      if (connected) presence.opened(connection);
    },
    connectionClosed(connection) {
      if (connected) presence.closed(connection);
    },
    start() {
      clients.connect(
        () => {
          join()
            .then(beat)
            .catch((error: unknown) => log.warn({ err: error, code: 'GW_ERR_BACKPLANE' }, 'backplane: joining failed (retried on the next heartbeat)'));
        },
        () => { connected = false; },
      );
      heartbeat = setInterval(() => void beat(), options.heartbeatMs);
      heartbeat.unref();
    },
    async stop() {
      clearInterval(heartbeat);
      if (connected) {
        // Bounded: a Redis that stopped answering must not eat the shutdown budget; the TTL removes us then.
        await bounded(presence.leave(), timeoutMs, 'leaving')
          .catch((error: unknown) => log.debug({ err: error }, 'backplane: leave failed'));
      }
      connected = false;
      await clients.close(timeoutMs);
    },
  };
  return backplane;
};
