// Prometheus metrics of one gateway process (SPEC A5), in a registry of its own. Holds counters; no I/O.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from './prom-client-parts.ts';

export interface GatewayMetrics {
  registry: Registry;
  messagesIn: Counter;
  messagesOut: Counter;
  bytesIn: Counter;
  bytesOut: Counter;
  callbackDuration: Histogram<'action'>;
  callbackFailures: Counter<'reason'>;
  closes: Counter<'code'>;
  slowConsumers: Counter;
  rateLimited: Counter;
  pausedSockets: Gauge;
  upgradesRejected: Counter<'status'>;
  pendingSocketsRefused: Counter;
  inlineReplies: Counter;
  inlineRepliesDropped: Counter<'reason'>;
}

/** Live figures the gauges read at scrape time, so the hot path does not update them. */
export interface LiveCounts {
  connections(): number;
  users(): number;
  /** Callbacks waiting or in flight over all connections, and on the connection with the most. */
  callbacksPending(): { total: number; largest: number; largestBytes: number };
  /** Raw bytes of frames held back because their connection's callback queue was full. */
  heldBytes(): number;
  /** TCP connections not yet upgraded (WS_MAX_PENDING_UPGRADES). */
  pendingSockets(): number;
}

export function createGatewayMetrics(live: LiveCounts): GatewayMetrics {
  const registry = new Registry();
  // prom-client's names already start with process_ or nodejs_: ws_gateway_process_cpu_seconds_total, ws_gateway_nodejs_heap_size_total_bytes.
  // Event-loop lag sampled every 100 ms, not prom-client's 10 ms: a tenth of the wake-ups on an idle sidecar, and a
  // histogram fine enough for stalls that matter to a WebSocket (tens of ms).
  collectDefaultMetrics({ register: registry, prefix: 'ws_gateway_', eventLoopMonitoringPrecision: 100 });
  const registers = [registry];
  new Gauge({
    name: 'ws_gateway_connections', help: 'Open client WebSocket connections.', registers,
    collect() { this.set(live.connections()); },
  });
  new Gauge({
    name: 'ws_gateway_users', help: 'Distinct user names with at least one open connection.', registers,
    collect() { this.set(live.users()); },
  });
  new Gauge({
    name: 'ws_gateway_callbacks_pending', help: 'Callbacks waiting or in flight, over all connections.', registers,
    collect() { this.set(live.callbacksPending().total); },
  });
  new Gauge({
    name: 'ws_gateway_callbacks_pending_max', help: 'Callbacks waiting or in flight on the connection with the most (at most WS_CALLBACK_QUEUE).', registers,
    collect() { this.set(live.callbacksPending().largest); },
  });
  new Gauge({
    name: 'ws_gateway_callbacks_pending_bytes_max', help: 'Bytes of callbacks waiting or in flight on the connection with the most (about WS_CALLBACK_QUEUE_BYTES at most).', registers,
    collect() { this.set(live.callbacksPending().largestBytes); },
  });
  new Gauge({
    name: 'ws_gateway_inbound_held_bytes', help: 'Bytes of client frames read while their callback queue was full, kept raw until it has room.', registers,
    collect() { this.set(live.heldBytes()); },
  });
  new Gauge({
    name: 'ws_gateway_pending_sockets', help: 'TCP connections that have not completed a WebSocket upgrade (plain HTTP included).', registers,
    collect() { this.set(live.pendingSockets()); },
  });
  return {
    registry,
    messagesIn: new Counter({ name: 'ws_gateway_messages_in_total', help: 'Messages received from clients (keep-alive pings excluded).', registers }),
    messagesOut: new Counter({ name: 'ws_gateway_messages_out_total', help: 'Messages queued to clients.', registers }),
    bytesIn: new Counter({ name: 'ws_gateway_bytes_in_total', help: 'Payload bytes received from clients.', registers }),
    bytesOut: new Counter({ name: 'ws_gateway_bytes_out_total', help: 'Payload bytes queued to clients.', registers }),
    callbackDuration: new Histogram({
      name: 'ws_gateway_callback_duration_seconds', help: 'Time for the app to answer one callback attempt.', labelNames: ['action'], registers,
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    }),
    callbackFailures: new Counter({
      name: 'ws_gateway_callback_failures_total', help: 'Callbacks that failed, by reason (unreachable, timeout, http_status, connection_lost, config_error).',
      labelNames: ['reason'], registers,
    }),
    closes: new Counter({ name: 'ws_gateway_closes_total', help: 'Closed connections, by close code.', labelNames: ['code'], registers }),
    slowConsumers: new Counter({ name: 'ws_gateway_slow_consumers_total', help: 'Clients closed with 1013 because their outbound buffer overflowed.', registers }),
    rateLimited: new Counter({ name: 'ws_gateway_rate_limited_total', help: 'Clients closed with 1008 for sending more than WS_MAX_INBOUND_FRAMES_PER_SEC.', registers }),
    pausedSockets: new Gauge({ name: 'ws_gateway_paused_sockets', help: 'Client sockets not being read because their callback queue is full.', registers }),
    upgradesRejected: new Counter({ name: 'ws_gateway_upgrades_rejected_total', help: 'Refused WebSocket upgrades, by HTTP status.', labelNames: ['status'], registers }),
    pendingSocketsRefused: new Counter({ name: 'ws_gateway_pending_sockets_refused_total', help: 'TCP connections refused with 503 because WS_MAX_PENDING_UPGRADES were waiting.', registers }),
    inlineReplies: new Counter({ name: 'ws_gateway_inline_replies_total', help: 'Inline replies (X-Tapr-Ws-Reply: 1) queued to their connection.', registers }),
    inlineRepliesDropped: new Counter({
      name: 'ws_gateway_inline_replies_dropped_total', help: 'Inline replies dropped, by reason (too_large: over WS_MAX_BUFFERED_BYTES; incomplete: the body did not arrive whole; closed: the connection was closing or is closed by it as a slow consumer).',
      labelNames: ['reason'], registers,
    }),
  };
}
