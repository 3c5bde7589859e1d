// Several gateway replicas (each with its own recording app) sharing one Redis, for backplane contract tests. I/O.
import type { TestContext } from 'node:test';
import { startStack, type Stack } from './stack.ts';
import { waitUntil } from './wait.ts';

export interface Replica extends Stack {
  readonly pod: string;
}

/** Short presence timings so that tests about dead replicas stay fast (bound: 3 heartbeats). */
export const BACKPLANE_TEST_ENV: Record<string, string> = {
  WS_BACKPLANE_HEARTBEAT_MS: '250',
  WS_BACKPLANE_REPLY_TIMEOUT_MS: '2000',
  WS_PING_TIMEOUT_MS: '0',
};

/** Starts one gateway per pod name against `redisUrl`; all are stopped after the test. */
export async function startReplicas(t: TestContext, redisUrl: string, pods: string[], env: Record<string, string> = {}): Promise<Replica[]> {
  return Promise.all(pods.map(async (pod) => {
    const stack = await startStack(t, { env: { ...BACKPLANE_TEST_ENV, WS_REDIS_URL: redisUrl, WS_REDIS_PREFIX: `test:${process.pid}`, POD_NAME: pod, ...env } });
    return { ...stack, pod };
  }));
}

export interface BackplaneStatsBody {
  connections: number;
  users: number;
  pod: string;
  backplane?: { connected: boolean; replicas: number; users: number; connections: number };
}

export async function statsOf(replica: Stack): Promise<BackplaneStatsBody> {
  return (await (await fetch(`${replica.gw.baseUrl}/stats`)).json()) as BackplaneStatsBody;
}

export async function readyzOf(replica: Stack): Promise<{ status: number; body: { status: string; reason?: string } }> {
  const response = await fetch(`${replica.gw.baseUrl}/readyz`);
  return { status: response.status, body: (await response.json()) as { status: string; reason?: string } };
}

/** Waits until every replica's heartbeat has seen `count` live replicas (and is connected). */
export async function waitForReplicas(replicas: Stack[], count: number, timeoutMs = 15000): Promise<void> {
  await waitUntil(async () => {
    const stats = await Promise.all(replicas.map(statsOf));
    return stats.every((s) => s.backplane?.connected === true && s.backplane.replicas === count);
  }, { timeoutMs, what: `${count} live replicas seen by every replica` });
}
