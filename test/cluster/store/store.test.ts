// Unit tests for the store: global resourceVersion, history, compaction, subscribers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Store, type StoreEvent } from './store.ts';

const cm = (name: string): { metadata: { name: string; namespace: string; uid: string } } => ({ metadata: { name, namespace: 'ns', uid: `uid-${name}` } });

test('one counter across keys; events in order; deletes get a new version', () => {
  const store = new Store();
  const seen: StoreEvent[] = [];
  store.subscribe((e) => seen.push(e));
  const a = store.create('/configmaps', cm('a'));
  const b = store.create('/secrets', cm('b'));
  assert.deepEqual([(a.metadata as { resourceVersion: string }).resourceVersion, (b.metadata as { resourceVersion: string }).resourceVersion], ['1', '2']);
  store.update('/configmaps', { ...cm('a'), data: { x: '1' } });
  store.remove('/configmaps', 'ns', 'a');
  assert.deepEqual(seen.map((e) => [e.type, e.resourceVersion]), [['ADDED', 1], ['ADDED', 2], ['MODIFIED', 3], ['DELETED', 4]]);
  assert.equal(store.findByUid('uid-a'), undefined);
  assert.equal(store.findByUid('uid-b')?.storageKey, '/secrets');
  const after = store.eventsAfter(2);
  assert.ok(after.kind === 'ok');
  assert.deepEqual(after.events.map((e) => e.resourceVersion), [3, 4]);
});

test('history is bounded and compaction expires older versions', () => {
  const store = new Store({ maxHistory: 2 });
  for (const n of ['a', 'b', 'c']) store.create('/configmaps', cm(n));
  assert.equal(store.eventsAfter(0).kind, 'expired');
  assert.equal(store.eventsAfter(1).kind, 'ok');
  store.compact();
  assert.deepEqual(store.eventsAfter(2), { kind: 'expired', oldest: 3 });
  assert.deepEqual(store.eventsAfter(3), { kind: 'ok', events: [] });
});

test('list orders by namespace and name and returns copies', () => {
  const store = new Store();
  store.create('/configmaps', cm('b'));
  store.create('/configmaps', { metadata: { name: 'a', namespace: 'z' } });
  store.create('/configmaps', cm('a'));
  assert.deepEqual(store.list('/configmaps').map((o) => (o.metadata as { name: string }).name), ['a', 'b', 'a']);
  const [first] = store.list('/configmaps', 'ns');
  (first!.metadata as { name: string }).name = 'changed';
  assert.equal((store.get('/configmaps', 'ns', 'a')!.metadata as { name: string }).name, 'a');
});
