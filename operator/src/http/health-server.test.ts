// The health routes: /healthz always 200, /readyz 503 until ready then 200, /metrics in Prometheus text format.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Registry, Counter } from 'prom-client';
import { createHealthRoutes } from './health-server.ts';

test('/readyz follows isReady(); /healthz does not; /metrics serves the registry', async () => {
  let ready = false;
  const registry = new Registry();
  new Counter({ name: 'example_total', help: 'An example.', registers: [registry] }).inc(3);
  const app = createHealthRoutes({ isReady: () => ready, registry });
  assert.equal((await app.request('/healthz')).status, 200);
  const notReady = await app.request('/readyz');
  assert.equal(notReady.status, 503);
  assert.equal(((await notReady.json()) as { status: string }).status, 'not ready');
  ready = true;
  assert.equal((await app.request('/readyz')).status, 200);
  const metrics = await app.request('/metrics');
  assert.match(metrics.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
  assert.match(await metrics.text(), /^example_total 3$/m);
});

test('anything but GET/HEAD is refused with 405 and the connection closed, so no body is read', async () => {
  const app = createHealthRoutes({ isReady: () => true, registry: new Registry() });
  const refused = await app.request('/metrics', { method: 'POST', body: 'x' });
  assert.equal(refused.status, 405);
  assert.equal(refused.headers.get('allow'), 'GET, HEAD');
  assert.equal(refused.headers.get('connection'), 'close');
  assert.equal((await app.request('/healthz', { method: 'HEAD' })).status, 200);
});
