// The status sampler (I/O, SPEC B4): every interval it asks each target pod's gateway for GET /stats (bounded
// concurrency, per-request timeout), keeps the latest sample or error per pod, and reports the pods whose sample
// changed so their Deployments are reconciled (which writes status only when it changed).
import { request } from 'node:http';
import { isJsonEqual } from '../kube/json.ts';
import { objectKey } from '../kube/objects.ts';
import { parseStatsBody, type StatsSample } from './stats-sample.ts';
import type { SampleTarget } from './sampler-targets.ts';

export interface SamplerOptions {
  /** The pods to sample now (read from the caches at the start of every round). */
  targets: () => SampleTarget[];
  /** Called after a round for every pod whose sample changed (first sample included) or was dropped. */
  onChange: (namespace: string, podName: string) => void;
  /** Default 10 s. */
  intervalMs?: number;
  /** Default 16 requests at a time. */
  concurrency?: number;
  /** Default 1 s. */
  timeoutMs?: number;
  /** A round that failed as a whole (e.g. reading the targets threw); the next round runs anyway. */
  onError?: (error: unknown) => void;
  /** Replaces the HTTP GET (tests). */
  fetchStats?: (url: string, timeoutMs: number) => Promise<StatsSample>;
}

export interface Sampler {
  sampleOf(namespace: string, podName: string): StatsSample | undefined;
  /** Samples now and then every interval. */
  start(): void;
  /** Stops sampling, waits for a running round and forgets every sample (unless `keepSamples`: a leader that lost its Lease may regain it). */
  stop(options?: { keepSamples?: boolean }): Promise<void>;
  /**
   * Resolves once the first round since start() has completed (at once if it has), after `timeoutMs`, or when sampling
   * stops — so a new leader writes status from samples instead of flipping Ready to "not sampled yet" first.
   */
  waitForFirstRound(timeoutMs: number): Promise<void>;
  /** Counters for tests and /metrics. */
  readonly counters: { rounds: number; samples: number; failures: number };
}

/** Bodies of /stats are small; anything larger is not a gateway. */
const MAX_BODY_BYTES = 64 * 1024;

export function createSampler(options: SamplerOptions): Sampler {
  const intervalMs = options.intervalMs ?? 10_000;
  const concurrency = options.concurrency ?? 16;
  const timeoutMs = options.timeoutMs ?? 1000;
  const fetchStats = options.fetchStats ?? getStats;
  const samples = new Map<string, StatsSample>();
  const counters = { rounds: 0, samples: 0, failures: 0 };
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let active = false;
  let sampledSinceStart = false;
  const roundWaiters = new Set<() => void>();
  const wakeWaiters = (): void => {
    for (const wake of roundWaiters) wake();
    roundWaiters.clear();
  };

  async function round(): Promise<void> {
    const targets = options.targets();
    const results = new Map<string, StatsSample>();
    let next = 0;
    const worker = async (): Promise<void> => {
      while (active && next < targets.length) {
        const target = targets[next++]!;
        const sample = await fetchStats(target.url, timeoutMs);
        counters.samples += 1;
        if (sample.kind === 'error') counters.failures += 1;
        results.set(objectKey(target.namespace, target.name), sample);
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, targets.length) }, worker));
    if (!active) return;
    counters.rounds += 1;
    const changed: string[] = [];
    for (const [key, sample] of results) {
      if (!isJsonEqual(samples.get(key), sample)) changed.push(key);
      samples.set(key, sample);
    }
    // Pods no longer sampled (gone, or their gateway stopped) lose their sample.
    for (const key of [...samples.keys()]) {
      if (results.has(key)) continue;
      samples.delete(key);
      changed.push(key);
    }
    for (const key of changed) {
      const slash = key.indexOf('/');
      options.onChange(key.slice(0, slash), key.slice(slash + 1));
    }
    sampledSinceStart = true;
    wakeWaiters();
  }

  function schedule(delayMs: number): void {
    if (!active) return;
    timer = setTimeout(() => {
      const startedAt = Date.now();
      running = round().catch((error: unknown) => options.onError?.(error)).finally(() => schedule(Math.max(0, intervalMs - (Date.now() - startedAt))));
    }, delayMs);
  }

  return {
    counters,
    sampleOf: (namespace, podName) => samples.get(objectKey(namespace, podName)),
    start() {
      if (active) return;
      active = true;
      sampledSinceStart = false;
      schedule(0);
    },
    async stop(stopOptions) {
      active = false;
      clearTimeout(timer);
      wakeWaiters();
      await running;
      if (stopOptions?.keepSamples !== true) samples.clear();
    },
    waitForFirstRound(timeoutMs) {
      if (!active || sampledSinceStart) return Promise.resolve();
      return new Promise<void>((resolve) => {
        const timeout = setTimeout(done, timeoutMs);
        function done(): void {
          clearTimeout(timeout);
          roundWaiters.delete(done);
          resolve();
        }
        roundWaiters.add(done);
      });
    },
  };
}

/** GET /stats with a deadline; every failure becomes an error sample that says why (for the Ready condition). */
export async function getStats(url: string, timeoutMs: number): Promise<StatsSample> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  try {
    const { status, body } = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const outgoing = request(url, { signal: controller.signal, headers: { Accept: 'application/json' } }, (res) => {
        if (Number(res.headers['content-length'] ?? 0) > MAX_BODY_BYTES) {
          outgoing.destroy(new Error(`answer larger than ${MAX_BODY_BYTES} bytes`));
          return;
        }
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_BODY_BYTES) outgoing.destroy(new Error(`answer larger than ${MAX_BODY_BYTES} bytes`));
          else chunks.push(chunk);
        });
        res.on('error', reject);
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      });
      outgoing.on('error', reject);
      outgoing.end();
    });
    if (status !== 200) return { kind: 'error', message: `GET /stats answered HTTP ${status}` };
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      return { kind: 'error', message: 'GET /stats answered with invalid JSON' };
    }
    return parseStatsBody(parsed);
  } catch (error) {
    if (controller.signal.aborted) return { kind: 'error', message: `GET /stats: no answer within ${timeoutMs} ms` };
    return { kind: 'error', message: `GET /stats: ${error instanceof Error ? error.message : String(error)}` };
  } finally {
    clearTimeout(timer);
  }
}
