// Backplane benchmark (`npm run bench:backplane`): what Redis adds to a broadcast when a user's connections are spread
// over three replicas instead of all on one (latency p50/p99 until the last frame arrives), and deliveries per second
// across the three; the same for a send to a channel (SPEC A10) whose members are spread the same way. A report, not a
// test: exit 1 only if something broke (errors, lost deliveries). I/O.
//
// One Redis, three gateways (pod-a, pod-b, pod-c) with WS_REDIS_URL, one app for all, two load-clients children:
// "one" holds every connection on pod-a, "spread" one connection per user on each replica. Every broadcast is posted
// to pod-a; rounds alternate between the two sets so both see the same background load. Everything on loopback.
// Knobs (env): BENCH_BP_USERS (latency users, default 50), BENCH_BP_ROUNDS (latency rounds per set, default 300),
// BENCH_BP_CONNECTIONS (throughput connections per set, default 3000).
import { setTimeout as sleep } from 'node:timers/promises';
import { startRedisServer, type RedisServer } from '../support/redis-server.ts';
import { startBenchApp } from './bench-app.ts';
import type { Counts, OpenResult } from './load-clients.ts';
import { forkLoadClients, killAll, type LoadClients } from './processes.ts';
import { startQuietGateway, type QuietGateway } from './quiet-gateway.ts';
import { renderTable } from './report-table.ts';
import { estimateClockOffset, summarize, type Summary } from './stats.ts';

const config = {
  users: Number(process.env.BENCH_BP_USERS ?? 50),
  connectionsPerUser: 3,
  rounds: Number(process.env.BENCH_BP_ROUNDS ?? 300),
  throughputConnections: Number(process.env.BENCH_BP_CONNECTIONS ?? 3000),
  throughputRounds: 20,
  throughputTrials: 3,
  totalBudgetMs: 9 * 60_000,
};
const pods = ['pod-a', 'pod-b', 'pod-c'];
const addressings: Addressing[] = ['users', 'channel'];
const payload = { type: 'bench', text: 'the quick brown fox jumps over the lazy dog, again and again and again' };
const problems: string[] = [];
const now = (): number => performance.timeOrigin + performance.now();
const log = (line: string): void => console.log(`[bench ${(performance.now() / 1000).toFixed(1)}s] ${line}`);
const fmtInt = (v: number): string => Math.round(v).toLocaleString('en-US');

type Layout = 'one' | 'spread';
/** How a broadcast addresses the set: by its users (SPEC A4), or by the channel they were subscribed to (SPEC A10). */
type Addressing = 'users' | 'channel';

interface Set {
  layout: Layout;
  clients: LoadClients;
  users: string[];
  connections: number;
  offsetMs: number;
}

const channelOf = (set: Set): string => `room:${set.layout}:${set.users[0]}`;

function targetsOf(set: Set, addressing: Addressing): Record<string, string[]> {
  return addressing === 'users' ? { users: set.users } : { channels: [channelOf(set)] };
}

async function post(gateway: QuietGateway, targets: Record<string, string[]>): Promise<{ sent: number; answerMs: number }> {
  const started = now();
  const response = await fetch(`${gateway.baseUrl}/tapr/ws/conn/send`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ payload, ...targets }),
    signal: AbortSignal.timeout(30_000),
  });
  const answer = (await response.json()) as { data?: { sent?: number; replicas?: { missing?: string[] } } };
  if (response.status !== 200) throw new Error(`send answered ${response.status}: ${JSON.stringify(answer)}`);
  if (answer.data?.replicas?.missing?.length) throw new Error(`replicas missing from an answer: ${answer.data.replicas.missing.join(', ')}`);
  return { sent: answer.data?.sent ?? -1, answerMs: now() - started };
}

async function open(clients: LoadClients, url: string, count: number, user: string): Promise<void> {
  const result = await clients.request<OpenResult>({ cmd: 'open', url, count, batch: 200, localAddresses: [], user }, 120_000);
  if (result.failed > 0) throw new Error(`${result.failed} connections failed: ${result.firstError}`);
}

async function clockOffset(clients: LoadClients): Promise<number> {
  const pings: { sentAt: number; remoteAt: number; receivedAt: number }[] = [];
  for (let i = 0; i < 40; i++) {
    const sentAt = now();
    const { now: remoteAt } = await clients.request<{ now: number }>({ cmd: 'now' });
    pings.push({ sentAt, remoteAt, receivedAt: now() });
  }
  return estimateClockOffset(pings).offsetMs;
}

/** Opens `perUser` connections for each user: all on pod-a ("one") or one per replica ("spread"). */
async function openSet(layout: Layout, gateways: QuietGateway[], users: string[], perUser: number): Promise<Set> {
  const clients = await forkLoadClients();
  for (const user of users) {
    if (layout === 'one') await open(clients, gateways[0]!.wsUrl, perUser, user);
    else for (let i = 0; i < perUser; i++) await open(clients, gateways[i % gateways.length]!.wsUrl, 1, user);
  }
  const set: Set = { layout, clients, users, connections: users.length * perUser, offsetMs: await clockOffset(clients) };
  // Every connection of the set joins its channel, asked on one replica: the subscribe itself crosses the backplane.
  const response = await fetch(`${gateways[0]!.baseUrl}/tapr/ws/channel/subscribe`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ channels: [channelOf(set)], users }),
    signal: AbortSignal.timeout(30_000),
  });
  const answer = (await response.json()) as { data?: { subscribed?: number } };
  if (answer.data?.subscribed !== set.connections) throw new Error(`${layout}: subscribed ${JSON.stringify(answer)}, expected ${set.connections}`);
  return set;
}

interface Round { lastMs: number; firstMs: number; answerMs: number }

/** One broadcast posted to pod-a; latency until the first and the last of the set's frames arrived. */
async function latencyRound(set: Set, gateway: QuietGateway, addressing: Addressing): Promise<Round> {
  await set.clients.request({ cmd: 'resetCounts' });
  const startedAt = now();
  const { sent, answerMs } = await post(gateway, targetsOf(set, addressing));
  if (sent !== set.connections) throw new Error(`${set.layout}: sent to ${sent}, expected ${set.connections}`);
  const counts = await set.clients.request<Counts>({ cmd: 'waitFrames', total: set.connections, timeoutMs: 10_000 }, 15_000);
  if (counts.frames !== set.connections) throw new Error(`${set.layout}: lost deliveries, ${counts.frames}/${set.connections} frames`);
  return { lastMs: counts.lastAt - set.offsetMs - startedAt, firstMs: counts.firstAt - set.offsetMs - startedAt, answerMs };
}

async function throughputTrial(set: Set, gateway: QuietGateway, addressing: Addressing): Promise<number> {
  const expected = config.throughputRounds * set.connections;
  await set.clients.request({ cmd: 'resetCounts' });
  const startedAt = now();
  for (let r = 0; r < config.throughputRounds; r++) {
    const { sent } = await post(gateway, targetsOf(set, addressing));
    if (sent !== set.connections) throw new Error(`${set.layout}: round ${r} sent to ${sent}, expected ${set.connections}`);
  }
  const counts = await set.clients.request<Counts>({ cmd: 'waitFrames', total: expected, timeoutMs: 60_000 }, 70_000);
  if (counts.frames !== expected) throw new Error(`${set.layout}: lost deliveries, ${counts.frames}/${expected} frames`);
  return (counts.frames / (counts.lastAt - set.offsetMs - startedAt)) * 1000;
}

async function closeSet(set: Set | undefined): Promise<void> {
  if (!set) return;
  await set.clients.request({ cmd: 'closeAll', timeoutMs: 15_000 }, 30_000).catch(() => undefined);
  await set.clients.stop();
}

async function main(redis: RedisServer): Promise<void> {
  const app = await startBenchApp();
  const gateways: QuietGateway[] = [];
  const sets: Set[] = [];
  try {
    for (const pod of pods) {
      gateways.push(await startQuietGateway({
        WS_LOG_LEVEL: 'warn', WS_PING_TIMEOUT_MS: '0', WS_SERVER_PING_MS: '0', WS_SHUTDOWN_TIMEOUT_MS: '10000',
        WS_PORT: String(app.port), WS_URL: app.path, WS_REDIS_URL: redis.url, WS_REDIS_PREFIX: 'bench', POD_NAME: pod,
      }));
    }
    // Every replica has seen the others once their heartbeats ran (5 s by default); until then answers may name none missing.
    await sleep(5500);
    log(`3 gateways on one Redis (${redis.url}); ${config.users} users × ${config.connectionsPerUser} connections per layout`);

    const users = (layout: Layout, count: number) => Array.from({ length: count }, (_, i) => `${layout}-${i}`);
    const one = await openSet('one', gateways, users('one', config.users), config.connectionsPerUser);
    sets.push(one);
    const spread = await openSet('spread', gateways, users('spread', config.users), config.connectionsPerUser);
    sets.push(spread);
    await app.waitFor('open', one.connections + spread.connections, 60_000);

    for (let i = 0; i < 20; i++) for (const set of [one, spread]) for (const addressing of addressings) await latencyRound(set, gateways[0]!, addressing);
    const rounds: Record<`${Layout}-${Addressing}`, Round[]> = { 'one-users': [], 'spread-users': [], 'one-channel': [], 'spread-channel': [] };
    for (let i = 0; i < config.rounds; i++) {
      for (const set of [one, spread]) for (const addressing of addressings) rounds[`${set.layout}-${addressing}`].push(await latencyRound(set, gateways[0]!, addressing));
    }
    const summary = (key: keyof typeof rounds, pick: (r: Round) => number): Summary => summarize(rounds[key].map(pick));
    const last = (addressing: Addressing) => ({ one: summary(`one-${addressing}`, (r) => r.lastMs), spread: summary(`spread-${addressing}`, (r) => r.lastMs) });
    const answerTime = (addressing: Addressing) => ({ one: summary(`one-${addressing}`, (r) => r.answerMs), spread: summary(`spread-${addressing}`, (r) => r.answerMs) });
    for (const addressing of addressings) {
      const figures = last(addressing);
      log(`${addressing}: latency until the last frame: one p50 ${figures.one.p50.toFixed(2)} p99 ${figures.one.p99.toFixed(2)} ms; spread p50 ${figures.spread.p50.toFixed(2)} p99 ${figures.spread.p99.toFixed(2)} ms`);
    }
    await closeSet(sets.pop());
    await closeSet(sets.pop());

    const n = config.throughputConnections;
    const tpOne = await openSet('one', gateways, ['tp-one'], n);
    sets.push(tpOne);
    const tpSpread = await openSet('spread', gateways, ['tp-spread'], n);
    sets.push(tpSpread);
    const perSec: Record<`${Layout}-${Addressing}`, number[]> = { 'one-users': [], 'spread-users': [], 'one-channel': [], 'spread-channel': [] };
    for (const set of [tpOne, tpSpread]) for (const addressing of addressings) await throughputTrial(set, gateways[0]!, addressing);
    for (let t = 0; t < config.throughputTrials; t++) {
      for (const set of [tpOne, tpSpread]) {
        for (const addressing of addressings) {
          const value = await throughputTrial(set, gateways[0]!, addressing);
          perSec[`${set.layout}-${addressing}`].push(value);
          log(`${set.layout} ${addressing} throughput trial ${t + 1}: ${fmtInt(value)} deliveries/s`);
        }
      }
    }
    const best = (key: keyof typeof perSec) => Math.max(...perSec[key]);

    const ms = (v: number): string => `${v.toFixed(2)} ms`;
    console.log('');
    console.log(`Backplane benchmark: 3 replicas, one Redis; broadcasts posted to pod-a. Latency: ${config.users} users × ${config.connectionsPerUser} connections, ${config.rounds} rounds per layout, time from POST to the last frame. Throughput: ${n} connections of one user, ${config.throughputRounds} back-to-back broadcasts, best of ${config.throughputTrials}.`);
    console.log('"gateway" column = spread over the 3 replicas (1 connection per user on each); "baseline" column = all on pod-a (same deployment, Redis on)');
    console.log('');
    console.log('Rows "by users" address the set with "users" (SPEC A4); rows "by channel" with "channels" after every connection joined one channel (SPEC A10).');
    console.log('');
    console.log(renderTable(addressings.flatMap((addressing) => {
      const by = addressing === 'users' ? 'by users' : 'by channel';
      const lastFrame = last(addressing);
      const answer = answerTime(addressing);
      return [
        { figure: `${by}: latency p50 (last frame)`, gateway: lastFrame.spread.p50, baseline: lastFrame.one.p50, format: ms, target: '≤ +5 ms added', verdict: (g: number, b: number) => g - b <= 5 },
        { figure: `${by}: latency p99 (last frame)`, gateway: lastFrame.spread.p99, baseline: lastFrame.one.p99, format: ms, target: '' },
        { figure: `${by}: added by the backplane p50`, gateway: lastFrame.spread.p50 - lastFrame.one.p50, baseline: 0, format: ms, target: '' },
        { figure: `${by}: added by the backplane p99`, gateway: lastFrame.spread.p99 - lastFrame.one.p99, baseline: 0, format: ms, target: '' },
        { figure: `${by}: send answer time p50`, gateway: answer.spread.p50, baseline: answer.one.p50, format: ms, target: '' },
        { figure: `${by}: send answer time p99`, gateway: answer.spread.p99, baseline: answer.one.p99, format: ms, target: '' },
        { figure: `${by}: deliveries/s across the replicas`, gateway: best(`spread-${addressing}`), baseline: best(`one-${addressing}`), format: fmtInt, target: '' },
      ];
    })));
  } finally {
    for (const set of sets) await closeSet(set);
    for (const gateway of gateways) await gateway.stop(15_000);
    await app.close();
  }
}

process.on('SIGINT', () => { killAll(); process.exit(130); });
process.on('SIGTERM', () => { killAll(); process.exit(143); });
process.on('exit', killAll);

const redis = await startRedisServer();
process.on('exit', () => redis.kill());
const budget = setTimeout(() => {
  console.error(`bench: gave up after ${config.totalBudgetMs / 1000} s`);
  killAll();
  redis.kill();
  process.exit(1);
}, config.totalBudgetMs);
budget.unref();
try {
  await main(redis);
} catch (error) {
  problems.push(error instanceof Error ? error.message : String(error));
} finally {
  await redis.stop();
}
if (problems.length) {
  console.log('\nSomething broke:');
  for (const problem of problems) console.log(`  - ${problem}`);
  process.exitCode = 1;
}
killAll();
