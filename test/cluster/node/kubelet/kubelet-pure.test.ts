// Unit tests for the node agent's pure parts on the real control plane: names and addresses of the pod network, the
// in-pod command line, the Node and Lease objects, token mounts and refresh, config references, status patches.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildClusterNetwork } from '../../upstream/cluster-network.ts';
import { buildContainerEnv } from '../container-env.ts';
import { defaultImageMap, GATEWAY_IMAGE } from '../image-map.ts';
import { LogBuffer } from '../log-buffer.ts';
import { buildPodStatus } from '../pod-status.ts';
import { buildPodImageMap } from '../start-node-agent.ts';
import {
  buildKubernetesServiceEnv, buildLease, buildNode, buildStatusPatch, decideTokenMount, decideTokenRefreshMs, formatMicroTime,
  parseLogQuery, referencedConfig, type NodeFacts,
} from './node-object.ts';
import {
  buildPodCommand, isOwnHostVeth, isOwnNetns, parseLinkNames, parseNetnsList, podHostVethName, podIpForSlot, podNetnsName,
} from './pod-network-names.ts';

test('pod network names: per cluster index, within 15 characters, and recognised only for their own index', () => {
  const n = buildClusterNetwork(255);
  assert.equal(podNetnsName(255, 254), 'tapr-255-254');
  assert.equal(podHostVethName(255, 254), 'tapr255v254');
  assert.ok(podHostVethName(255, 254).length <= 15 && n.bridgeName.length <= 15);
  assert.equal(podIpForSlot(n, 2), '198.18.255.2');
  assert.throws(() => podIpForSlot(n, 1), /2-254/);
  assert.throws(() => podIpForSlot(n, 255), /2-254/);
  assert.ok(isOwnNetns(1, 'tapr-1-3') && !isOwnNetns(1, 'tapr-12-3') && !isOwnNetns(1, 'other-1-3'));
  assert.ok(isOwnHostVeth(1, 'tapr1v3') && !isOwnHostVeth(1, 'tapr12v3') && !isOwnHostVeth(1, 'taprbr1'));
  assert.deepEqual(parseNetnsList('tapr-7-3 (id: 4)\ntapr-7-2\n\n'), ['tapr-7-3', 'tapr-7-2']);
  assert.deepEqual(parseLinkNames('1: lo: <LOOPBACK> mtu\n12: tapr7v3@if2: <BROADCAST> mtu\n13: taprbr7: <X>'), ['lo', 'tapr7v3', 'taprbr7']);
});

test('in-pod command: the netns, a private mount namespace, and the token bound read-only before exec', () => {
  assert.deepEqual(buildPodCommand({ netns: 'tapr-7-3', argv: ['node', 'app.ts'] }),
    ['ip', 'netns', 'exec', 'tapr-7-3', 'unshare', '--mount', '--propagation', 'private', '--', 'node', 'app.ts']);
  assert.deepEqual(buildPodCommand({ netns: undefined, argv: ['node'] }), ['unshare', '--mount', '--propagation', 'private', '--', 'node'], 'hostNetwork');
  const withToken = buildPodCommand({ netns: 'tapr-7-3', argv: ['node', 'app.ts'], tokenDir: '/d/t', mountPath: '/var/run/secrets/kubernetes.io/serviceaccount' });
  assert.deepEqual(withToken.slice(9, 11), ['/bin/sh', '-c']);
  assert.match(withToken[11]!, /mount --bind -o ro "\$1" "\$2" .*exec "\$@"/);
  assert.deepEqual(withToken.slice(12), ['sh', '/d/t', '/var/run/secrets/kubernetes.io/serviceaccount', 'node', 'app.ts']);
});

const facts: NodeFacts = {
  name: 'local-node', hostIp: '198.18.7.1', kubeletPort: 40123, cpu: 2, memoryBytes: 4 * 1024 ** 3, maxPods: 110,
  kernelVersion: '6.1.0', osImage: 'Debian', architecture: 'x64', machineId: 'm', bootId: 'b',
};

test('Node: addresses, kubelet endpoint, capacity, nodeInfo, Ready condition; Lease owned by the Node', () => {
  const node = buildNode(facts, '2026-12-02T04:00:00Z') as { metadata: { labels: Record<string, string> }; status: Record<string, unknown> };
  assert.equal(node.metadata.labels['kubernetes.io/hostname'], 'local-node');
  assert.equal(node.metadata.labels['kubernetes.io/arch'], 'amd64');
  const status = node.status as {
    addresses: unknown; daemonEndpoints: unknown; capacity: Record<string, string>; nodeInfo: Record<string, string>; conditions: { type: string; status: string }[];
  };
  assert.deepEqual(status.addresses, [{ type: 'InternalIP', address: '198.18.7.1' }, { type: 'Hostname', address: 'local-node' }]);
  assert.deepEqual(status.daemonEndpoints, { kubeletEndpoint: { Port: 40123 } });
  assert.deepEqual([status.capacity.cpu, status.capacity.memory, status.capacity.pods], ['2', '4194304Ki', '110']);
  assert.equal(status.nodeInfo.kubeletVersion, 'v1.37.2');
  assert.deepEqual(status.conditions.map((c) => `${c.type}=${c.status}`), ['MemoryPressure=False', 'DiskPressure=False', 'PIDPressure=False', 'Ready=True']);
  const lease = buildLease({ nodeName: 'local-node', nodeUid: 'u', renewTime: formatMicroTime(new Date('2026-12-02T04:00:00.123Z')) }) as {
    metadata: Record<string, unknown>; spec: Record<string, unknown>;
  };
  assert.equal(lease.metadata.namespace, 'kube-node-lease');
  assert.deepEqual(lease.metadata.ownerReferences, [{ apiVersion: 'v1', kind: 'Node', name: 'local-node', uid: 'u' }]);
  assert.deepEqual(lease.spec, { holderIdentity: 'local-node', leaseDurationSeconds: 40, renewTime: '2026-12-02T04:00:00.123000Z' });
});

test('token mount: only the projected ServiceAccount token volume at the well-known path; refresh at 80%', () => {
  const pod = {
    spec: {
      volumes: [
        { name: 'kube-api-access-x', projected: { sources: [{ serviceAccountToken: { expirationSeconds: 3607, path: 'token' } }, { configMap: { name: 'kube-root-ca.crt' } }] } },
        { name: 'other', projected: { sources: [{ serviceAccountToken: { audience: 'vault', expirationSeconds: 600, path: 't' } }] } },
      ],
    },
  };
  assert.deepEqual(decideTokenMount(pod, { volumeMounts: [{ name: 'kube-api-access-x', mountPath: '/var/run/secrets/kubernetes.io/serviceaccount' }] }),
    { mountPath: '/var/run/secrets/kubernetes.io/serviceaccount', expirationSeconds: 3607 });
  assert.equal(decideTokenMount(pod, { volumeMounts: [{ name: 'other', mountPath: '/vault' }] }), undefined, 'other paths are not mounted (divergence)');
  assert.equal(decideTokenMount(pod, {}), undefined, 'automountServiceAccountToken: false leaves no mount');
  assert.equal(decideTokenRefreshMs(0, 3600_000), 2880_000);
  assert.equal(decideTokenRefreshMs(0, 365 * 24 * 3600_000), 24 * 3600_000);
});

test('config references, the kubernetes Service env, the status patch, the log query', () => {
  assert.deepEqual(referencedConfig({
    envFrom: [{ configMapRef: { name: 'a' } }, { secretRef: { name: 's' } }],
    env: [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'a', key: 'k' } } }, { name: 'Y', valueFrom: { secretKeyRef: { name: 't', key: 'k' } } }, { name: 'Z', value: 'v' }],
  }), { configMaps: ['a'], secrets: ['s', 't'] });
  const env = buildKubernetesServiceEnv('198.18.7.1', 443);
  assert.equal(env.KUBERNETES_SERVICE_HOST, '198.18.7.1');
  assert.equal(env.KUBERNETES_SERVICE_PORT, '443');
  assert.equal(env.KUBERNETES_PORT_443_TCP_ADDR, '198.18.7.1');
  assert.deepEqual(buildStatusPatch('u1', { phase: 'Running', qosClass: 'BestEffort' }), { metadata: { uid: 'u1' }, status: { phase: 'Running' } });
  const now = new Date('2026-12-02T05:00:00Z');
  assert.deepEqual(parseLogQuery(new URLSearchParams('tailLines=5&previous=true&follow=true&limitBytes=10&timestamps=false&sinceSeconds=60'), now),
    { tailLines: 5, previous: true, follow: true, timestamps: false, limitBytes: 10, since: '2026-12-02T04:59:00.000Z' });
  assert.deepEqual(parseLogQuery(new URLSearchParams('sinceTime=2026-12-02T04:30:00Z'), now).since, '2026-12-02T04:30:00.000Z');
  assert.deepEqual(parseLogQuery(new URLSearchParams('tailLines=x'), now), { previous: false, timestamps: false, follow: false });
});

test('image map in pods: the built-in gateway entry loses the old WS_GATEWAY_HOST=${POD_IP}; a changed entry is kept', () => {
  const builtIn = defaultImageMap();
  assert.deepEqual(buildPodImageMap(builtIn)[GATEWAY_IMAGE], { command: builtIn[GATEWAY_IMAGE]!.command });
  assert.deepEqual(buildPodImageMap({})[GATEWAY_IMAGE], { command: builtIn[GATEWAY_IMAGE]!.command });
  const custom = { [GATEWAY_IMAGE]: { command: ['x'], env: { WS_GATEWAY_HOST: '1.2.3.4' } } };
  assert.deepEqual(buildPodImageMap(custom)[GATEWAY_IMAGE], custom[GATEWAY_IMAGE]);
});

test('log buffer follow: each later line, then the end; hostIP reaches pod status and the downward API', () => {
  const b = new LogBuffer();
  b.write('before\n');
  const seen: string[] = [];
  b.follow((l) => seen.push(l === undefined ? '<end>' : l.text));
  b.write('a\nb');
  b.end();
  assert.deepEqual(seen, ['a', 'b', '<end>']);
  assert.ok(b.ended);
  const late: string[] = [];
  b.follow((l) => late.push(l === undefined ? '<end>' : l.text));
  assert.deepEqual(late, ['<end>']);
  const status = buildPodStatus({
    podIP: '198.18.7.2', hostIP: '198.18.7.1', startTime: 't', restartPolicy: 'Always', init: [], main: [], initialized: true, initFailed: false,
    previousConditions: [], now: 't',
  });
  assert.equal(status.hostIP, '198.18.7.1');
  assert.deepEqual(status.hostIPs, [{ ip: '198.18.7.1' }]);
  const env = buildContainerEnv({ env: [{ name: 'H', valueFrom: { fieldRef: { fieldPath: 'status.hostIP' } } }] },
    { pod: {}, podIP: '198.18.7.2', hostIP: '198.18.7.1', configMap: () => undefined, secret: () => undefined });
  assert.deepEqual(env, { ok: true, env: { H: '198.18.7.1' } });
});
