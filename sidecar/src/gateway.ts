// Wires one gateway process: HTTP server, upgrades, connections, hub, callbacks, liveness, and the SIGTERM drain (SPEC A6). I/O.
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { BackplaneFactory } from './backplane/backplane.ts';
import { createAppClient } from './callbacks/app-client.ts';
import { createCallbackDispatcher } from './callbacks/callback-dispatcher.ts';
import { createConcurrencyLimit } from './callbacks/concurrency-limit.ts';
import { computeConfigHash, type GatewayConfig } from './config.ts';
import { Connection } from './connection/connection.ts';
import { buildPingSchedule } from './connection/ping-schedule.ts';
import { encodeWireFrame } from './connection/wire-frame.ts';
import { createHttpApp } from './http-app.ts';
import { ConnectionRegistry } from './hub/connection-registry.ts';
import { createLocalHub } from './hub/local-hub.ts';
import { createLogAggregator } from './observability/log-aggregator.ts';
import { createGatewayMetrics } from './observability/metrics.ts';
import { closeCauses } from './protocol/close-codes.ts';
import { buildDrainFrame, buildHelloTimers } from './protocol/hello-frames.ts';
import { trackPendingSockets } from './upgrade/pending-sockets.ts';
import { buildTrustedPeer } from './upgrade/trusted-proxies.ts';
import { closeHandshakeTimeoutMs, createUpgradeHandler } from './upgrade/upgrade-edge.ts';

export interface Gateway {
  /** Starts listening; resolves with the bound address. */
  listen(): Promise<AddressInfo>;
  /**
   * Drains: refuses new upgrades, closes every client with 1001, attempts every close callback, closes the server.
   * Resolves before `WS_SHUTDOWN_TIMEOUT_MS` is over, whatever the app does; close callbacks not delivered by then
   * are counted, logged (`GW_ERR_SHUTDOWN_CALLBACKS`) and aborted.
   */
  shutdown(): Promise<ShutdownReport>;
}

export interface ShutdownReport {
  /** Close callbacks never sent to the app by the deadline. */
  undeliveredCallbacks: number;
  /** Close callbacks the app received but had not answered by the deadline. */
  unansweredCallbacks: number;
}

/** What the drain keeps back from WS_SHUTDOWN_TIMEOUT_MS to report and close everything before the process must exit. */
export function shutdownReserveMs(shutdownTimeoutMs: number): number {
  return Math.min(500, Math.max(50, Math.floor(shutdownTimeoutMs * 0.05)));
}

export interface GatewayIdentity {
  version: string;
  startedAt: Date;
}

export interface GatewayDeps {
  /** The Redis backplane (SPEC A8); main.ts loads it only when WS_REDIS_URL is set. */
  backplane?: BackplaneFactory;
}

export function createGateway(config: GatewayConfig, log: Logger, identity: GatewayIdentity, deps: GatewayDeps = {}): Gateway {
  const registry = new ConnectionRegistry<Connection>(config.maxChannelsPerConnection);
  const failureLog = createLogAggregator(log);
  const metrics = createGatewayMetrics({
    connections: () => registry.size,
    users: () => registry.counts().users,
    callbacksPending: () => {
      let total = 0;
      let largest = 0;
      let largestBytes = 0;
      for (const connection of registry.all()) {
        total += connection.pendingCallbacks;
        largest = Math.max(largest, connection.pendingCallbacks);
        largestBytes = Math.max(largestBytes, connection.pendingCallbackBytes);
      }
      return { total, largest, largestBytes };
    },
    heldBytes: () => {
      let total = 0;
      for (const connection of registry.all()) total += connection.heldBytes;
      return total;
    },
    pendingSockets: () => pendingSockets.count,
  });
  const client = createAppClient({
    host: config.appHost,
    port: config.appPort,
    path: config.appPath,
    timeoutMs: config.callbackTimeoutMs,
    connections: config.callbackConcurrency,
  });
  const dispatcher = createCallbackDispatcher({ client, limit: createConcurrencyLimit(config.callbackConcurrency), retryMs: config.callbackRetryMs, metrics, log, failureLog, replyLimitBytes: config.maxBufferedBytes });
  const localHub = createLocalHub(registry, metrics);
  const backplane = deps.backplane?.({
    url: config.redisUrl,
    prefix: config.redisPrefix,
    // The name `list` shows as a connection's pod: POD_NAME, or a random one that is unique per process.
    replicaId: config.podName || `gw-${randomUUID().slice(0, 8)}`,
    heartbeatMs: config.backplaneHeartbeatMs,
    replyTimeoutMs: config.backplaneReplyTimeoutMs,
    timeoutMs: config.backplaneTimeoutMs,
    registry,
    localHub,
    log,
    failureLog,
  });
  const hub = backplane?.hub ?? localHub;
  const configHash = computeConfigHash(config);
  // Closed connections whose close callback (and those before it) may still be in flight.
  const pendingCallbacks = new Set<Promise<void>>();
  let draining = false;

  const connectionDeps = {
    dispatcher,
    metrics,
    log,
    callbackLimits: { count: config.callbackQueue, bytes: config.callbackQueueBytes },
    inboundRateLimit: { perSec: config.maxInboundFramesPerSec, burst: config.inboundFramesBurst },
    maxBufferedBytes: config.maxBufferedBytes,
    helloTimers: buildHelloTimers(config.pingTimeoutMs),
    onClosed(connection: Connection) {
      registry.remove(connection);
      backplane?.connectionClosed(connection);
      const done = connection.whenCallbacksDone();
      pendingCallbacks.add(done);
      void done.then(() => pendingCallbacks.delete(done));
    },
    subscribe(connection: Connection, channels: readonly string[]) {
      // Only while registered: a connection that closed meanwhile has left its channels for good.
      if (registry.byId(connection.info.connId) !== connection) return;
      let refused = 0;
      for (const channel of channels) if (registry.channels.join(connection, channel) === 'refused') refused++;
      if (refused > 0) {
        failureLog.report('GW_ERR_CHANNEL_LIMIT', 'warn', { conn_id: connection.info.connId, refused, limit: config.maxChannelsPerConnection, code: 'GW_ERR_CHANNEL_LIMIT' }, 'open answer subscribed past WS_MAX_CHANNELS_PER_CONNECTION; the rest were refused');
      }
    },
  };

  const trustedPeer = buildTrustedPeer(config.trustedProxies);
  const upgradeLoad = () => ({ draining, connections: registry.size, connectionsOfUser: (user: string) => registry.connectionsOfUser(user) });
  const app = createHttpApp({
    hub,
    policy: config,
    trustedPeer,
    load: upgradeLoad,
    controlToken: config.controlToken,
    maxChannelsPerConnection: config.maxChannelsPerConnection,
    log,
    metrics,
    readiness: () => {
      if (draining) return { ready: false, reason: 'draining' };
      if (backplane && !backplane.connected) return { ready: false, reason: 'backplane disconnected' };
      return { ready: true };
    },
    stats: () => ({
      ...registry.counts(),
      pod: config.podName,
      configHash,
      version: identity.version,
      startedAt: identity.startedAt.toISOString(),
      ...(backplane ? { backplane: backplane.stats() } : {}),
    }),
  });
  // Slowloris (F13): Node checks these timeouts every connectionsCheckingInterval (30 s by default).
  const server = createServer({
    headersTimeout: config.headersTimeoutMs,
    requestTimeout: config.requestTimeoutMs,
    connectionsCheckingInterval: Math.max(100, Math.min(1000, Math.floor((config.headersTimeoutMs || config.requestTimeoutMs || 4000) / 4))),
  }, app);
  const pendingSockets = trackPendingSockets(server, { max: config.maxPendingUpgrades, onRefused: () => metrics.pendingSocketsRefused.inc() });
  server.on('upgrade', createUpgradeHandler({
    config,
    dispatcher,
    metrics,
    log,
    trustedPeer,
    upgradeDone: (socket) => pendingSockets.done(socket),
    load: upgradeLoad,
    accept(ws, socket, info, open) {
      const connection = new Connection(ws, socket, info, connectionDeps);
      registry.add(connection);
      backplane?.connectionOpened(connection);
      connection.start(open);
      log.debug({ conn_id: info.connId, public: info.accessPublic }, 'connection opened');
    },
  }));

  const timers: NodeJS.Timeout[] = [];
  if (config.pingTimeoutMs > 0) {
    // One sweep for all connections instead of a timer per socket: cheaper at tens of thousands of sockets.
    const sweepEveryMs = Math.max(100, Math.min(1000, Math.floor(config.pingTimeoutMs / 4)));
    timers.push(setInterval(() => {
      const idleSince = Date.now() - config.pingTimeoutMs;
      for (const connection of registry.all()) {
        if (connection.lastActivity < idleSince && !connection.isPaused && !connection.isClosing) connection.close(closeCauses.idleTimeout);
      }
    }, sweepEveryMs));
  }
  if (config.serverPingMs > 0) {
    const { tickMs, slices } = buildPingSchedule(config.serverPingMs);
    let tick = 0;
    timers.push(setInterval(() => {
      const slice = tick++ % slices;
      for (const connection of registry.all()) if (connection.serial % slices === slice) connection.ping();
    }, tickMs));
  }
  for (const timer of timers) timer.unref();

  return {
    async listen() {
      server.listen(config.port, config.host);
      await once(server, 'listening');
      backplane?.start();
      return server.address() as AddressInfo;
    },

    async shutdown() {
      draining = true;
      for (const timer of timers) clearInterval(timer);
      // Everything below finishes by this internal deadline, ahead of main.ts's hard exit at the full budget.
      const deadline = Date.now() + config.shutdownTimeoutMs - shutdownReserveMs(config.shutdownTimeoutMs);
      // tapr-ws.v1 clients learn the window over which to spread their reconnects (SPEC A12): the drain budget.
      const drainNotice = buildDrainFrame(config.shutdownTimeoutMs);
      const drainWire = encodeWireFrame(drainNotice);
      for (const connection of registry.all()) {
        connection.sendDrainNotice(drainNotice, drainWire);
        connection.close(closeCauses.shuttingDown);
      }

      // Clients get a share of the budget to answer the close frame; the rest is for the close callbacks.
      const closeBudgetMs = Math.min(closeHandshakeTimeoutMs, Math.floor(config.shutdownTimeoutMs * 0.4));
      await waitUntil(() => registry.size === 0, closeBudgetMs);
      for (const connection of registry.all()) connection.terminate();
      await waitUntil(() => registry.size === 0, 200);
      // Leaving the backplane needs no callback: it runs while they are delivered (bounded by WS_BACKPLANE_TIMEOUT_MS).
      const leftBackplane = backplane?.stop().catch((error: unknown) => log.debug({ err: error }, 'backplane: stop failed'));

      const budgetLeft = new AbortController();
      let inTime: boolean;
      try {
        inTime = await Promise.race([
          Promise.all(pendingCallbacks).then(() => true),
          sleep(Math.max(0, deadline - Date.now()), false, { signal: budgetLeft.signal }),
        ]);
      } finally {
        budgetLeft.abort();
      }
      const unansweredCallbacks = inTime ? 0 : Math.min(dispatcher.closesInFlight, pendingCallbacks.size);
      const report: ShutdownReport = { undeliveredCallbacks: inTime ? 0 : pendingCallbacks.size - unansweredCallbacks, unansweredCallbacks };
      failureLog.flush();
      if (!inTime) {
        log.error({ ...report, code: 'GW_ERR_SHUTDOWN_CALLBACKS' }, 'close callbacks not delivered by the shutdown deadline');
      }
      // destroy, not close: close() would wait for the answers the app is still holding back.
      await client.destroy().catch((error: unknown) => log.debug({ err: error }, 'closing the app client failed'));
      // The callbacks it aborted report their failure on the next turns; write those counts too.
      await new Promise((resolve) => setImmediate(resolve));
      failureLog.flush();
      server.closeAllConnections();
      server.close();
      await leftBackplane;
      return report;
    },
  };
}

async function waitUntil(condition: () => boolean, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!condition() && Date.now() < until) await sleep(20);
}
