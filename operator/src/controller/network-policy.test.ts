// The per-app NetworkPolicy builder: pods selected like the Deployment's, 40010 only from the admin's peers, every
// other port left open (ranges plus the declared ports), owned by the CR; the patch only when the spec differs; peers validated.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deploymentSchema } from '../kube/objects.ts';
import { buildNetworkPolicy, buildNetworkPolicyPatch, buildNetworkPolicySpec, networkPolicyPeersSchema } from './network-policy.ts';

const deployment = deploymentSchema.parse({
  metadata: { name: 'chat', namespace: 'apps', uid: 'd-1' },
  spec: {
    selector: { matchLabels: { app: 'chat' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['web'] }] },
    template: {
      metadata: { labels: { app: 'chat', tier: 'web' } },
      spec: {
        containers: [
          { name: 'app', image: 'chat:1', ports: [{ containerPort: 8888 }, { containerPort: 53, protocol: 'UDP' }, { containerPort: 9090, protocol: 'TCP' }] },
          { name: 'metrics', image: 'm:1', ports: [{ containerPort: 8888 }] },
        ],
      },
    },
  },
});
const ingressPeer = { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress' } }, podSelector: { matchLabels: { app: 'proxy' } } };

test('the policy selects the Deployment\'s pods and admits 40010 only from the peers; other ports stay open to all', () => {
  const spec = buildNetworkPolicySpec(deployment, [ingressPeer]);
  assert.deepEqual(spec, {
    podSelector: { matchLabels: { app: 'chat' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['web'] }] },
    policyTypes: ['Ingress'],
    ingress: [
      { from: [ingressPeer], ports: [{ protocol: 'TCP', port: 40010 }] },
      {
        ports: [
          { protocol: 'TCP', port: 1, endPort: 40009 },
          { protocol: 'TCP', port: 40011, endPort: 65535 },
          { protocol: 'UDP' },
          { protocol: 'TCP', port: 8888 },
          { protocol: 'TCP', port: 9090 },
          { protocol: 'UDP', port: 53 },
        ],
      },
    ],
  });
  assert.equal(spec.ingress[1]!.from, undefined, 'no from: every source');
});

test('a declared 40010 (an app that clashes is not injected anyway) is not reopened to everyone', () => {
  const clashing = deploymentSchema.parse({
    metadata: { name: 'x', namespace: 'apps' },
    spec: { selector: { matchLabels: { app: 'x' } }, template: { spec: { containers: [{ name: 'a', ports: [{ containerPort: 40010 }] }] } } },
  });
  const open = buildNetworkPolicySpec(clashing, [ingressPeer]).ingress[1]!.ports;
  assert.ok(!open.some((port) => port.port === 40010), JSON.stringify(open));
});

test('the object is <deployment>-ws, labelled, and controlled by the WebSocketGateway', () => {
  const spec = buildNetworkPolicySpec(deployment, [ingressPeer]);
  assert.deepEqual(buildNetworkPolicy({ name: 'chat', namespace: 'apps', uid: 'g-1' }, spec), {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: {
      name: 'chat-ws',
      namespace: 'apps',
      labels: { 'app.kubernetes.io/managed-by': 'tapr-ws-operator' },
      ownerReferences: [{ apiVersion: 'tapr.io/v1alpha1', kind: 'WebSocketGateway', name: 'chat', uid: 'g-1', controller: true, blockOwnerDeletion: true }],
    },
    spec,
  });
});

test('the patch replaces the spec only when it differs, guarded by the uid', () => {
  const spec = buildNetworkPolicySpec(deployment, [ingressPeer]);
  const existing = { metadata: { name: 'chat-ws', namespace: 'apps', uid: 'n-1' }, spec: structuredClone(spec) };
  assert.equal(buildNetworkPolicyPatch(existing, spec), undefined);
  const other = buildNetworkPolicySpec(deployment, [{ namespaceSelector: { matchLabels: { team: 'edge' } } }]);
  assert.deepEqual(buildNetworkPolicyPatch(existing, other), [
    { op: 'test', path: '/metadata/uid', value: 'n-1' },
    { op: 'replace', path: '/spec', value: other },
  ]);
});

test('peers are validated: at least one, known fields only, ipBlock on its own', () => {
  assert.ok(networkPolicyPeersSchema.safeParse([ingressPeer, { ipBlock: { cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] } }]).success);
  const message = (value: unknown): string => {
    const parsed = networkPolicyPeersSchema.safeParse(value);
    assert.ok(!parsed.success);
    const issue = parsed.error.issues[0]!;
    return `${issue.path.join('.')}: ${issue.message}`;
  };
  assert.match(message([]), /at least one peer/);
  assert.match(message({}), /expected a JSON list of NetworkPolicy peers/);
  assert.match(message([{}]), /^0: expected namespaceSelector, podSelector or ipBlock/);
  assert.match(message([{ podSelector: {}, ipBlock: { cidr: '10.0.0.0/8' } }]), /ipBlock cannot be combined/);
  assert.match(message([{ namespaceSelectr: {} }]), /^0: /);
  assert.match(message([{ ipBlock: { cidr: 'ten' } }]), /^0\.ipBlock\.cidr: expected a CIDR/);
  assert.match(message([{ podSelector: { matchExpressions: [{ key: 'a', operator: 'Is' }] } }]), /operator: expected In, NotIn, Exists or DoesNotExist/);
});
