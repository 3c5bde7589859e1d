// Lease-based leader election (I/O): reads the Lease, applies decideLease, writes with optimistic concurrency
// (a 409 means another replica wrote first: read again), renews every retry period, gives leadership up when renewals
// fail past the renew deadline, and releases the Lease on stop so another replica can take over at once.
import type { ApiClient } from '../kube/api-client.ts';
import { getIfExists, isApiError } from '../kube/api-client.ts';
import { buildReleasedSpec, decideLease, observationKey, type LeaseSpec } from './lease-decision.ts';

export interface LeaderElectionConfig {
  namespace: string;
  name: string;
  /** Unique per replica (e.g. the pod name plus a random suffix). */
  identity: string;
  /** Default 15 s. */
  leaseDurationSeconds?: number;
}

export interface LeaderElectorOptions extends LeaderElectionConfig {
  api: ApiClient;
  /** How long a leader keeps leading without a successful renewal (default 2/3 of the lease duration). */
  renewDeadlineMs?: number;
  /** How often to renew or try to acquire (default 1/3 of the lease duration). */
  retryPeriodMs?: number;
  onStartedLeading: () => void;
  onStoppedLeading: (reason: string) => void;
  log?: (entry: Record<string, unknown>) => void;
  now?: () => Date;
}

export interface LeaderElector {
  isLeader(): boolean;
  start(): void;
  /**
   * Stops trying; a leader releases the Lease (best effort, unless `release: false`, which leaves it to expire as a
   * crashed replica would) and calls onStoppedLeading.
   */
  stop(options?: { release?: boolean }): Promise<void>;
}

interface LeaseObject {
  apiVersion?: string;
  kind?: string;
  metadata: { name: string; namespace?: string; resourceVersion?: string; [key: string]: unknown };
  spec?: LeaseSpec;
}

const DEFAULT_LEASE_SECONDS = 15;

export function createLeaderElector(options: LeaderElectorOptions): LeaderElector {
  const now = options.now ?? (() => new Date());
  const log = options.log ?? (() => {});
  const leaseSeconds = options.leaseDurationSeconds ?? DEFAULT_LEASE_SECONDS;
  const retryPeriodMs = options.retryPeriodMs ?? Math.round((leaseSeconds * 1000) / 3);
  const renewDeadlineMs = options.renewDeadlineMs ?? Math.round((leaseSeconds * 2000) / 3);
  const path = `/apis/coordination.k8s.io/v1/namespaces/${options.namespace}/leases`;
  const requestTimeoutMs = Math.max(1000, retryPeriodMs);
  let leading = false;
  let stopped = true;
  let observed = { key: '', at: now() };
  let timer: NodeJS.Timeout | undefined;
  /** Armed on every successful write while leading: leadership ends when no renewal succeeds before it fires. */
  let deadline: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;

  async function readLease(): Promise<LeaseObject | undefined> {
    return await getIfExists<LeaseObject>(options.api, `${path}/${options.name}`, requestTimeoutMs);
  }

  async function writeLease(existing: LeaseObject | undefined, spec: LeaseSpec): Promise<void> {
    if (existing === undefined) {
      await options.api.request({
        method: 'POST', path, timeoutMs: requestTimeoutMs,
        body: { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: options.name, namespace: options.namespace }, spec },
      });
      return;
    }
    // PUT with the resourceVersion we read: a concurrent writer makes this a 409.
    await options.api.request({
      method: 'PUT', path: `${path}/${options.name}`, timeoutMs: requestTimeoutMs,
      body: { ...existing, apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', spec },
    });
  }

  function stopLeading(reason: string): void {
    clearTimeout(deadline);
    if (!leading) return;
    leading = false;
    log({ level: 'warn', msg: 'stopped leading', identity: options.identity, reason });
    options.onStoppedLeading(reason);
  }

  /** One attempt; returns the delay before the next. */
  async function attempt(): Promise<number> {
    try {
      const lease = await readLease();
      const key = observationKey(lease?.spec);
      const time = now();
      if (key !== observed.key) observed = { key, at: time };
      const decision = decideLease({
        spec: lease?.spec, observedAt: observed.at, now: time, identity: options.identity, leaseDurationSeconds: leaseSeconds, leading,
      });
      switch (decision.kind) {
        case 'wait':
          return retryPeriodMs;
        case 'lost':
          stopLeading(`the Lease is held by ${decision.holder}`);
          return retryPeriodMs;
        case 'renew':
        case 'acquire':
          // Even when stop() was called meanwhile: it waits for this attempt, then releases what we just wrote.
          await writeLease(lease, decision.spec);
          clearTimeout(deadline);
          deadline = setTimeout(() => stopLeading(`no successful renewal for ${renewDeadlineMs} ms`), renewDeadlineMs);
          if (!leading) {
            leading = true;
            log({ level: 'info', msg: 'started leading', identity: options.identity, lease: `${options.namespace}/${options.name}` });
            options.onStartedLeading();
          }
          return retryPeriodMs;
      }
    } catch (error) {
      // Another replica wrote between our read and our write: read again at once.
      if (isApiError(error, 409)) return 0;
      log({ level: 'warn', msg: 'leader election request failed', identity: options.identity, error: error instanceof Error ? error.message : String(error) });
      // A leader retries sooner, to renew before its deadline.
      return leading ? Math.max(100, Math.round(retryPeriodMs / 4)) : retryPeriodMs;
    }
  }

  function schedule(delayMs: number): void {
    if (stopped) return;
    timer = setTimeout(() => {
      running = (async () => {
        schedule(await attempt());
      })();
    }, delayMs);
  }

  async function release(): Promise<void> {
    try {
      const lease = await readLease();
      if (lease?.spec?.holderIdentity !== options.identity) return;
      await writeLease(lease, buildReleasedSpec(lease.spec, now()));
      log({ level: 'info', msg: 'released the Lease', identity: options.identity });
    } catch (error) {
      // Best effort: the Lease then expires after its duration.
      log({ level: 'warn', msg: 'could not release the Lease', identity: options.identity, error: error instanceof Error ? error.message : String(error) });
    }
  }

  return {
    isLeader: () => leading,
    start() {
      if (!stopped) return;
      stopped = false;
      schedule(0);
    },
    async stop(stopOptions) {
      if (stopped) return;
      stopped = true;
      clearTimeout(timer);
      await running;
      clearTimeout(deadline);
      if (leading) {
        if (stopOptions?.release !== false) await release();
        stopLeading('stopped');
      }
    },
  };
}
