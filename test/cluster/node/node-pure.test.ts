// Unit tests for the node agent's pure parts: container env, image map, IP allocation, log buffer, pod status.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { JsonObject } from './json-value.ts';
import { buildContainerEnv } from './container-env.ts';
import { imageRepository, parseImageMap, resolveImage, substitute, defaultImageMap, GATEWAY_IMAGE } from './image-map.ts';
import { LogBuffer } from './log-buffer.ts';
import { buildPodStatus, podPhase, type ContainerStatusView, type PodStatusInput } from './pod-status.ts';

const pod: JsonObject = { metadata: { name: 'p', namespace: 'ns', uid: 'u1', labels: { app: 'a', tier: 'web' }, annotations: { note: 'n' } }, spec: { nodeName: 'local-node', serviceAccountName: 'bot' } };
const sources = {
  pod, podIP: '127.1.0.5',
  configMap: (n: string): JsonObject | undefined => (n === 'cfg' ? { data: { color: 'blue', size: 'L' } } : undefined),
  secret: (n: string): JsonObject | undefined => (n === 'sec' ? { data: { pw: Buffer.from('s3cret').toString('base64') } } : undefined),
};

test('container env: values with $(VAR), fieldRefs, configMap and secret keys, envFrom with prefix, optional refs', () => {
  const out = buildContainerEnv({
    envFrom: [{ configMapRef: { name: 'cfg' }, prefix: 'CFG_' }, { secretRef: { name: 'absent', optional: true } }],
    env: [
      { name: 'A', value: 'x' }, { name: 'B', value: '$(A)-$(NOPE)-$$(A)' },
      { name: 'N', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }, { name: 'L', valueFrom: { fieldRef: { fieldPath: "metadata.labels['tier']" } } },
      { name: 'ALL', valueFrom: { fieldRef: { fieldPath: 'metadata.labels' } } },
      { name: 'IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } }, { name: 'SA', valueFrom: { fieldRef: { fieldPath: 'spec.serviceAccountName' } } },
      { name: 'C', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'color' } } }, { name: 'S', valueFrom: { secretKeyRef: { name: 'sec', key: 'pw' } } },
      { name: 'OPT', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'missing', optional: true } } },
    ],
  }, sources);
  assert.deepEqual(out, { ok: true, env: {
    CFG_color: 'blue', CFG_size: 'L', A: 'x', B: 'x-$(NOPE)-$(A)', N: 'p', L: 'web', ALL: 'app="a"\ntier="web"', IP: '127.1.0.5', SA: 'bot', C: 'blue', S: 's3cret',
  } });
});

test('container env: a missing ConfigMap, Secret or key is a config error naming it', () => {
  assert.deepEqual(buildContainerEnv({ env: [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'nope', key: 'k' } } }] }, sources), { ok: false, message: 'configmap "nope" not found' });
  assert.deepEqual(buildContainerEnv({ env: [{ name: 'X', valueFrom: { secretKeyRef: { name: 'sec', key: 'k' } } }] }, sources), { ok: false, message: "couldn't find key k in Secret ns/sec" });
});

test('image map: parse, match with and without tag, substitute ${POD_IP}, default gateway entry', () => {
  const map = parseImageMap({ images: { 'a/b': { command: ['node', 'x.js'], env: { HOST: '${POD_IP}', N: 3 } }, 'a/c:2': { command: ['c'] } } }, 'map.yaml');
  assert.deepEqual(resolveImage(map, 'a/b:1.0')?.command, ['node', 'x.js']);
  assert.equal(resolveImage(map, 'a/c:1'), undefined, 'a tagged entry matches only that tag');
  assert.deepEqual(resolveImage(map, 'a/c:2')?.command, ['c']);
  assert.equal(map['a/b']!.env!.N, '3');
  assert.equal(substitute(map['a/b']!.env!.HOST!, { POD_IP: '127.1.0.9' }), '127.1.0.9');
  assert.equal(imageRepository('host:5000/a/b:1@sha256:abc'), 'host:5000/a/b');
  assert.equal(imageRepository('host:5000/a/b'), 'host:5000/a/b');
  assert.throws(() => parseImageMap({ x: { command: 'node' } }, 'map.yaml'), /map.yaml: x.command: expected a list of strings/);
  const gw = resolveImage(defaultImageMap(), `${GATEWAY_IMAGE}:0.1.0`);
  assert.equal(gw?.command[0], process.execPath);
  assert.match(gw?.command[1] ?? '', /sidecar\/src\/main\.ts$/);
  assert.equal(gw?.env?.WS_GATEWAY_HOST, '${POD_IP}');
});

test('log buffer: lines across chunks, tailLines, timestamps, partial last line', () => {
  const log = new LogBuffer();
  log.write('one\ntw');
  log.write('o\nthree');
  assert.equal(log.read({ tailLines: 2 }), 'two\nthree\n');
  log.end();
  assert.equal(log.read(), 'one\ntwo\nthree\n');
  assert.match(log.read({ tailLines: 1, timestamps: true }), /^\d{4}-\d\d-\d\dT[\d:.]+Z three\n$/);
});

function c(name: string, state: ContainerStatusView['state'], ready = false, restartCount = 0): ContainerStatusView {
  return { name, image: 'i', state, lastState: undefined, ready, started: 'running' in state, restartCount, containerID: undefined };
}

test('pod phase and conditions follow the containers', () => {
  const base: PodStatusInput = { podIP: '127.1.0.1', startTime: 'T', restartPolicy: 'Always', init: [], main: [], initialized: true, initFailed: false, previousConditions: [], now: 'T' };
  const running = { running: { startedAt: 'T' } };
  const ok = { terminated: { exitCode: 0, reason: 'Completed', startedAt: 'T', finishedAt: 'T' } };
  const bad = { terminated: { exitCode: 2, reason: 'Error', startedAt: 'T', finishedAt: 'T' } };
  assert.equal(podPhase({ ...base, main: [c('a', { waiting: { reason: 'ImageNotInMap' } })] }), 'Pending');
  assert.equal(podPhase({ ...base, initialized: false, main: [c('a', running)] }), 'Pending');
  assert.equal(podPhase({ ...base, main: [c('a', running)] }), 'Running');
  assert.equal(podPhase({ ...base, restartPolicy: 'Never', main: [c('a', ok)] }), 'Succeeded');
  assert.equal(podPhase({ ...base, restartPolicy: 'Never', main: [c('a', ok), c('b', bad)] }), 'Failed');
  assert.equal(podPhase({ ...base, initFailed: true }), 'Failed');
  const status = buildPodStatus({ ...base, init: [{ status: c('side', running, false), sidecar: true }], main: [c('a', running, true)] });
  const cond = Object.fromEntries((status.conditions as { type: string; status: string; message?: string }[]).map((x) => [x.type, x]));
  assert.equal(cond.Ready?.status, 'False', 'an unready native sidecar keeps the pod unready');
  assert.equal(cond.Ready?.message, 'containers with unready status: [side]');
  assert.equal(cond.Initialized?.status, 'True');
  assert.equal(cond.PodScheduled?.status, 'True');
  assert.equal(status.podIP, '127.1.0.1');
});
