// Prometheus metrics of one gateway process (SPEC A5), in a registry of its own. Holds counters; no I/O.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

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
  pausedSockets: Gauge;
  upgradesRejected: Counter<'status'>;
}

/** Live figures the gauges read at scrape time, so the hot path does not update them. */
export interface LiveCounts {
  connections(): number;
  users(): number;
}

export function createGatewayMetrics(live: LiveCounts): GatewayMetrics {
  const registry = new Registry();
  // prom-client's names already start with process_ or nodejs_: ws_gateway_process_cpu_seconds_total, ws_gateway_nodejs_heap_size_total_bytes.
  collectDefaultMetrics({ register: registry, prefix: 'ws_gateway_' });
  const registers = [registry];
  new Gauge({
    name: 'ws_gateway_connections', help: 'Open client WebSocket connections.', registers,
    collect() { this.set(live.connections()); },
  });
  new Gauge({
    name: 'ws_gateway_users', help: 'Distinct user names with at least one open connection.', registers,
    collect() { this.set(live.users()); },
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
    pausedSockets: new Gauge({ name: 'ws_gateway_paused_sockets', help: 'Client sockets not being read because their callback queue is full.', registers }),
    upgradesRejected: new Counter({ name: 'ws_gateway_upgrades_rejected_total', help: 'Refused WebSocket upgrades, by HTTP status.', labelNames: ['status'], registers }),
  };
}
