// Prometheus metrics of the operator, in a registry of its own. Every figure is read at scrape time from what the
// running operator exposes (counters, queue, the WebSocketGateway cache); samples are counted through recordSample.
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { KubeObject } from '../kube/objects.ts';

/** What the metrics read from the running operator (start-operator's RunningOperator satisfies it). */
export interface MetricsSource {
  counters: { reconciles: number; reconcileErrors: number; admissions: number; injections: number; outdatedRestarts?: number };
  queue: { depth: number; delayed: number; inFlight: number };
  informers: { gateways: { list(): KubeObject[] } };
  /** The leader's /stats sampler (absent before it existed). */
  sampler?: { counters: { rounds: number; samples: number; failures: number } };
  isLeader?: () => boolean;
}

export interface OperatorMetrics {
  registry: Registry;
}

export const METRIC_NAMES = {
  reconciles: 'tapr_ws_operator_reconciles_total',
  reconcileErrors: 'tapr_ws_operator_reconcile_errors_total',
  queueDepth: 'tapr_ws_operator_queue_depth',
  admissions: 'tapr_ws_operator_admissions_total',
  injections: 'tapr_ws_operator_injections_total',
  samples: 'tapr_ws_operator_samples_total',
  sampleRounds: 'tapr_ws_operator_sample_rounds_total',
  leader: 'tapr_ws_operator_leader',
  connections: 'tapr_ws_operator_gateway_connections',
  users: 'tapr_ws_operator_gateway_users',
  readyReplicas: 'tapr_ws_operator_gateway_ready_replicas',
  ready: 'tapr_ws_operator_ready',
  outdatedRestarts: 'tapr_ws_operator_outdated_restarts_total',
} as const;

export function createOperatorMetrics(source: () => MetricsSource | undefined, isReady: () => boolean): OperatorMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'tapr_ws_operator_' });
  const registers = [registry];

  // Counters mirror start-operator's running totals: each scrape adds what happened since the last one.
  const mirrored = { ok: 0, error: 0, errors: 0, admissions: 0, injected: 0, notInjected: 0, sampleOk: 0, sampleError: 0, rounds: 0, outdatedRestarts: 0 };
  const advance = (counter: Counter<string>, key: keyof typeof mirrored, now: number, labels?: Record<string, string>) => {
    const delta = now - mirrored[key];
    if (delta > 0) {
      if (labels === undefined) counter.inc(delta);
      else counter.inc(labels, delta);
      mirrored[key] = now;
    }
  };

  new Counter({
    name: METRIC_NAMES.reconciles, help: 'Reconciles of a Deployment key, by result (ok, error).', labelNames: ['result'], registers,
    collect() {
      const counters = source()?.counters;
      if (counters === undefined) return;
      advance(this, 'ok', counters.reconciles - counters.reconcileErrors, { result: 'ok' });
      advance(this, 'error', counters.reconcileErrors, { result: 'error' });
    },
  });
  new Counter({
    name: METRIC_NAMES.reconcileErrors, help: 'Reconciles that ended in a retry or a terminal error.', registers,
    collect() {
      const counters = source()?.counters;
      if (counters !== undefined) advance(this, 'errors', counters.reconcileErrors);
    },
  });
  new Gauge({
    name: METRIC_NAMES.queueDepth, help: 'Keys in the work queue, by state (ready, delayed, in_flight).', labelNames: ['state'], registers,
    collect() {
      const queue = source()?.queue;
      if (queue === undefined) return;
      this.set({ state: 'ready' }, queue.depth);
      this.set({ state: 'delayed' }, queue.delayed);
      this.set({ state: 'in_flight' }, queue.inFlight);
    },
  });
  new Counter({
    name: METRIC_NAMES.admissions, help: 'Pod admissions the webhook answered.', registers,
    collect() {
      const counters = source()?.counters;
      if (counters !== undefined) advance(this, 'admissions', counters.admissions);
    },
  });
  new Counter({
    name: METRIC_NAMES.injections, help: 'Admission decisions, by decision (injected, not_injected).', labelNames: ['decision'], registers,
    collect() {
      const counters = source()?.counters;
      if (counters === undefined) return;
      advance(this, 'injected', counters.injections, { decision: 'injected' });
      advance(this, 'notInjected', counters.admissions - counters.injections, { decision: 'not_injected' });
    },
  });
  new Counter({
    name: METRIC_NAMES.samples, help: 'Gateway /stats requests of the leader, by result (ok, error: unreachable, timeout, bad answer).',
    labelNames: ['result'], registers,
    collect() {
      const counters = source()?.sampler?.counters;
      if (counters === undefined) return;
      advance(this, 'sampleOk', counters.samples - counters.failures, { result: 'ok' });
      advance(this, 'sampleError', counters.failures, { result: 'error' });
    },
  });
  new Counter({
    name: METRIC_NAMES.sampleRounds, help: 'Completed sampling rounds (every gateway asked once).', registers,
    collect() {
      const counters = source()?.sampler?.counters;
      if (counters !== undefined) advance(this, 'rounds', counters.rounds);
    },
  });
  new Counter({
    name: METRIC_NAMES.outdatedRestarts, help: 'Deployments whose pods were restarted because their gateway config was outdated (--restart-outdated on).', registers,
    collect() {
      const restarts = source()?.counters.outdatedRestarts;
      if (restarts !== undefined) advance(this, 'outdatedRestarts', restarts);
    },
  });
  new Gauge({
    name: METRIC_NAMES.leader, help: '1 while this replica leads (reconciles and samples).', registers,
    collect() { this.set(source()?.isLeader?.() === true ? 1 : 0); },
  });
  const perApp = (name: string, help: string, field: 'connections' | 'users' | 'readyReplicas') => new Gauge({
    name, help, labelNames: ['namespace', 'deployment'], registers,
    collect() {
      this.reset();
      for (const gateway of source()?.informers.gateways.list() ?? []) {
        const value = readStatusNumber(gateway, field);
        if (value !== undefined) this.set({ namespace: gateway.metadata.namespace ?? '', deployment: gateway.metadata.name ?? '' }, value);
      }
    },
  });
  perApp(METRIC_NAMES.connections, 'Open client connections per app, from its WebSocketGateway status.', 'connections');
  perApp(METRIC_NAMES.users, 'Distinct users per app, from its WebSocketGateway status.', 'users');
  perApp(METRIC_NAMES.readyReplicas, 'Pods whose gateway answered /stats, per app, from its WebSocketGateway status.', 'readyReplicas');
  new Gauge({
    name: METRIC_NAMES.ready, help: '1 when the caches are synced and the webhook certificate is loaded.', registers,
    collect() { this.set(isReady() ? 1 : 0); },
  });

  return { registry };
}

function readStatusNumber(object: KubeObject, field: string): number | undefined {
  const status = (object as { status?: unknown }).status;
  if (typeof status !== 'object' || status === null) return undefined;
  const value = (status as Record<string, unknown>)[field];
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}
