// The sampler: bounded concurrency, changes reported once, dropped pods forgotten; getStats over real HTTP:
// a valid body, a non-200, invalid JSON, a refused connection and a timeout each give a sample that says so.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSampler, getStats } from './sampler.ts';
import type { SampleTarget } from './sampler-targets.ts';
import type { StatsSample } from './stats-sample.ts';

const target = (name: string): SampleTarget => ({ namespace: 'apps', name, url: `http://stats/${name}` });

async function waitFor(what: string, check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

test('samples every target with at most `concurrency` requests at a time and reports only changes', async (t) => {
  let targets = ['a', 'b', 'c', 'd', 'e'].map(target);
  const connections = new Map<string, number>(targets.map((each) => [each.url, 1]));
  let inFlight = 0;
  let maxInFlight = 0;
  const changes: string[] = [];
  const sampler = createSampler({
    targets: () => targets,
    onChange: (namespace, name) => changes.push(`${namespace}/${name}`),
    intervalMs: 30,
    concurrency: 2,
    fetchStats: async (url): Promise<StatsSample> => {
      inFlight += 1;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await new Promise((resolve) => setTimeout(resolve, 5));
      inFlight -= 1;
      return { kind: 'stats', connections: connections.get(url) ?? 0, users: 0, configHash: 'h' };
    },
  });
  t.after(() => sampler.stop());
  sampler.start();
  await waitFor('a first round', () => sampler.counters.rounds >= 1);
  assert.deepEqual(changes.sort(), ['apps/a', 'apps/b', 'apps/c', 'apps/d', 'apps/e']);
  assert.equal(maxInFlight, 2);
  assert.deepEqual(sampler.sampleOf('apps', 'c'), { kind: 'stats', connections: 1, users: 0, configHash: 'h' });
  // Unchanged rounds report nothing; a changed count reports that pod once.
  const rounds = sampler.counters.rounds;
  await waitFor('two more rounds', () => sampler.counters.rounds >= rounds + 2);
  assert.equal(changes.length, 5);
  changes.length = 0;
  connections.set('http://stats/b', 4);
  await waitFor('the change', () => changes.length > 0);
  assert.deepEqual(changes, ['apps/b']);
  assert.deepEqual(sampler.sampleOf('apps', 'b'), { kind: 'stats', connections: 4, users: 0, configHash: 'h' });
  // A pod that is no longer a target loses its sample, and that is a change too.
  changes.length = 0;
  targets = targets.filter((each) => each.name !== 'e');
  await waitFor('e dropped', () => changes.includes('apps/e'));
  assert.equal(sampler.sampleOf('apps', 'e'), undefined);
  await sampler.stop();
  assert.equal(sampler.sampleOf('apps', 'a'), undefined, 'stop forgets the samples');
});

test('waitForFirstRound: resolves after the first round, at once afterwards, and at its timeout when a round hangs', async (t) => {
  let release: () => void = () => {};
  const hanging = new Promise<void>((resolve) => { release = resolve; });
  const sampler = createSampler({
    targets: () => [target('a')],
    onChange: () => {},
    intervalMs: 10_000,
    fetchStats: async (): Promise<StatsSample> => {
      await hanging;
      return { kind: 'stats', connections: 0, users: 0, configHash: 'h' };
    },
  });
  t.after(() => {
    release();
    return sampler.stop();
  });
  await sampler.waitForFirstRound(1000);
  assert.equal(sampler.counters.rounds, 0, 'not started: resolves at once');
  sampler.start();
  const started = Date.now();
  await sampler.waitForFirstRound(100);
  assert.ok(Date.now() - started >= 90, 'the hanging round is waited for up to the timeout');
  assert.equal(sampler.counters.rounds, 0);
  const waiting = sampler.waitForFirstRound(10_000);
  release();
  await waiting;
  assert.equal(sampler.counters.rounds, 1);
  const again = Date.now();
  await sampler.waitForFirstRound(10_000);
  assert.ok(Date.now() - again < 1000, 'after the first round: at once');
});

async function listen(handler: Parameters<typeof createServer>[1]): Promise<Server & { url: string }> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return Object.assign(server, { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/stats` });
}

test('getStats: body, HTTP status, invalid JSON, refused connection and timeout', async (t) => {
  let answer: (res: ServerResponse) => void = (res) => res.end('{}');
  const server = await listen((_req, res) => answer(res));
  t.after(() => new Promise((resolve) => server.close(resolve)));
  answer = (res) => res.end(JSON.stringify({ connections: 2, users: 1, configHash: 'abc', pod: 'p' }));
  assert.deepEqual(await getStats(server.url, 1000), { kind: 'stats', connections: 2, users: 1, configHash: 'abc' });
  answer = (res) => res.writeHead(503).end('draining');
  assert.deepEqual(await getStats(server.url, 1000), { kind: 'error', message: 'GET /stats answered HTTP 503' });
  answer = (res) => res.end('not json');
  assert.deepEqual(await getStats(server.url, 1000), { kind: 'error', message: 'GET /stats answered with invalid JSON' });
  answer = () => {};
  const started = Date.now();
  assert.deepEqual(await getStats(server.url, 200), { kind: 'error', message: 'GET /stats: no answer within 200 ms' });
  assert.ok(Date.now() - started < 2000);
  server.closeAllConnections();
  const closed = await listen(() => {});
  const refusedUrl = closed.url;
  await new Promise((resolve) => closed.close(resolve));
  const refused = await getStats(refusedUrl, 1000);
  assert.equal(refused.kind, 'error');
  assert.match(refused.kind === 'error' ? refused.message : '', /^GET \/stats: connect ECONNREFUSED 127\.0\.0\.1:\d+$/);
});
