// One informer against the local cluster: a synchronous cache, events for changes, a relist after 410 that reports
// what was deleted meanwhile, and recovery from dropped watches and an API server restart.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCluster, type Cluster } from '../cluster/start-cluster.ts';
import { createApiClient, type ApiClient } from '../../operator/src/kube/api-client.ts';
import { connectWithKubeconfigText } from '../../operator/src/kube/cluster-connection.ts';
import { Informer, type InformerEvent } from '../../operator/src/controller/informer.ts';
import { eventually } from './operator-env.ts';

interface Setup { cluster: Cluster; api: ApiClient; informer: Informer; events: InformerEvent[] }

async function setUp(t: { after(fn: () => Promise<void>): void }): Promise<Setup> {
  const dir = await mkdtemp(join(tmpdir(), 'tapr-informer-'));
  const cluster = await startCluster({ dir });
  const api = createApiClient(await connectWithKubeconfigText(cluster.kubeconfig, dir));
  const events: InformerEvent[] = [];
  const informer = new Informer({
    name: 'configmaps', api, watch: api.watch, path: '/api/v1/configmaps', labelSelector: 'informer-test',
    onEvent: (event) => events.push(event), backoff: { initialMs: 50, maxMs: 500 },
  });
  t.after(async () => {
    await informer.stop();
    api.close();
    await cluster.stop();
    await rm(dir, { recursive: true, force: true });
  });
  return { cluster, api, informer, events };
}

async function createConfigMap(api: ApiClient, name: string): Promise<void> {
  await api.request({ method: 'POST', path: '/api/v1/namespaces/default/configmaps', body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, labels: { 'informer-test': 'yes' } } } });
}

test('the cache lists at start, follows changes, and after a 410 relists and reports what was deleted meanwhile', async (t) => {
  const { cluster, api, informer, events } = await setUp(t);
  await createConfigMap(api, 'a');
  await api.request({ method: 'POST', path: '/api/v1/namespaces/default/configmaps', body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'unlabelled' } } });
  informer.start();
  await informer.waitForSync(10_000);
  assert.deepEqual(informer.list().map((object) => object.metadata.name), ['a']);
  await createConfigMap(api, 'b');
  await eventually('b in the cache', () => informer.get('default', 'b'));
  assert.deepEqual(events.map((event) => `${event.type} ${event.object.metadata.name}`), ['added a', 'added b']);

  cluster.faults.stallWatches(true);
  await api.request({ method: 'DELETE', path: '/api/v1/namespaces/default/configmaps/a' });
  await createConfigMap(api, 'c');
  await cluster.faults.compactHistory();
  cluster.faults.dropAllWatches();
  cluster.faults.stallWatches(false);
  await eventually('the relisted state', () => (informer.get('default', 'a') === undefined && informer.get('default', 'c') !== undefined ? true : undefined));
  assert.ok(informer.stats.expired >= 1, `expected a 410, stats ${JSON.stringify(informer.stats)}`);
  assert.deepEqual(events.slice(2).map((event) => `${event.type} ${event.object.metadata.name}`), ['deleted a', 'added c']);
});

test('after an API server restart the watch comes back (with backoff) and sees later changes', async (t) => {
  const { cluster, api, informer } = await setUp(t);
  informer.start();
  await informer.waitForSync(10_000);
  // The restart drops the watches the server holds: the informer's must have reached it (it opens right after the list).
  await eventually('the watch open on the server', () => (cluster.faults.openWatches() > 0 ? true : undefined));
  await cluster.faults.restart();
  await createConfigMap(api, 'after-restart');
  await eventually('the change after the restart', () => informer.get('default', 'after-restart'));
  cluster.faults.dropAllWatches();
  await createConfigMap(api, 'after-drop');
  await eventually('the change after a dropped watch', () => informer.get('default', 'after-drop'));
  assert.ok(informer.stats.watches >= 3, `watches: ${informer.stats.watches}`);
});
