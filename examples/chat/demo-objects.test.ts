// The full-stack demo's pure parts: the Deployment opts in as SPEC B1 says, gateways come from ready Endpoints,
// connections are spread only when Redis is shared, and the wsgw table prints like `kubectl get wsgw -A`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { load } from 'js-yaml';
import { buildChatDeployment, buildManifestConfigMap, chooseGateway, readyGateways, renderTable, tableChangeKey } from './demo-objects.ts';

test('the manifest ConfigMap carries options.websocket and the pod template names it in tapr.io/manifest', () => {
  const configMap = buildManifestConfigMap('chat-demo') as { metadata: { name: string }; data: Record<string, string> };
  assert.deepEqual((load(configMap.data['OlaresManifest.yaml']!) as { options: unknown }).options, { websocket: { url: '/ws/message', port: 8888 } });
  const deployment = buildChatDeployment('chat-demo', 2, true) as {
    spec: { replicas: number; selector: { matchLabels: Record<string, string> }; template: { metadata: { labels: Record<string, string> }; spec: { containers: { env: { name: string }[] }[] } } };
  };
  assert.equal(deployment.spec.replicas, 2);
  assert.equal(deployment.spec.template.metadata.labels['tapr.io/manifest'], configMap.metadata.name);
  assert.equal(deployment.spec.selector.matchLabels['tapr.io/manifest'], undefined, 'the selector stays app-only');
  assert.ok(deployment.spec.template.spec.containers[0]!.env.some((e) => e.name === 'CHAT_REDIS_URL'));
  const alone = buildChatDeployment('chat-demo', 2, false) as typeof deployment;
  assert.ok(!alone.spec.template.spec.containers[0]!.env.some((e) => e.name === 'CHAT_REDIS_URL'));
});

test('gateways are the ready Endpoints addresses, by pod name; not-ready ones are left out', () => {
  const gateways = readyGateways({
    subsets: [{
      addresses: [{ ip: '127.1.0.9', targetRef: { name: 'chat-b' } }, { ip: '127.1.0.8', targetRef: { name: 'chat-a' } }],
      ports: [{ port: 40010 }],
    }],
  });
  assert.deepEqual(gateways, [{ host: '127.1.0.8', port: 40010, pod: 'chat-a' }, { host: '127.1.0.9', port: 40010, pod: 'chat-b' }]);
  assert.deepEqual(readyGateways(undefined), []);
  assert.deepEqual(readyGateways({ subsets: [{ ports: [{ port: 40010 }] }] }), []);
});

test('connections take turns over the gateways with Redis, and all go to one without', () => {
  const pods = ['a', 'b'];
  assert.deepEqual([0, 1, 2, 3].map((turn) => chooseGateway(pods, true, turn)), ['a', 'b', 'a', 'b']);
  assert.deepEqual([0, 1, 2, 3].map((turn) => chooseGateway(pods, false, turn)), ['a', 'a', 'a', 'a']);
  assert.equal(chooseGateway([], true, 0), undefined);
});

const table = (connections: number, age: string) => ({
  columnDefinitions: [
    { name: 'Name', type: 'string', priority: 0 }, { name: 'Connections', type: 'integer', priority: 0 },
    { name: 'Hidden', type: 'string', priority: 1 }, { name: 'Age', type: 'date', priority: 0 },
  ],
  rows: [{ cells: ['chat', connections, 'x', age], object: { metadata: { namespace: 'chat-demo' } } }],
});

test('the table prints like kubectl get -A: NAMESPACE first, upper-case headers, priority-0 columns, aligned', () => {
  assert.equal(renderTable(table(2, '5s')), [
    'NAMESPACE   NAME   CONNECTIONS   AGE',
    'chat-demo   chat   2             5s',
  ].join('\n'));
  assert.equal(renderTable({ columnDefinitions: [], rows: [] }), 'No resources found');
});

test('a table counts as changed when a cell other than the age changes', () => {
  assert.equal(tableChangeKey(table(2, '5s')), tableChangeKey(table(2, '7s')));
  assert.notEqual(tableChangeKey(table(2, '5s')), tableChangeKey(table(1, '5s')));
});
