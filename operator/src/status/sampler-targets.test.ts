// selectSampleTargets: only running gateways with an IP are sampled, at http://<podIP>:40010/stats.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../kube/objects.ts';
import { selectSampleTargets } from './sampler-targets.ts';

function pod(name: string, status: Record<string, unknown> | undefined, extra: Partial<KubeObject['metadata']> = {}): KubeObject {
  return { metadata: { name, namespace: 'apps', ...extra }, ...(status === undefined ? {} : { status }) };
}

const running = (name: string): Record<string, unknown> => ({ name, state: { running: { startedAt: '2026-01-01T00:00:00Z' } } });
const waiting = (name: string): Record<string, unknown> => ({ name, state: { waiting: { reason: 'ImageNotInMap' } } });

test('a running native-sidecar or regular gateway container with a pod IP is a target', () => {
  const targets = selectSampleTargets([
    pod('native', { podIP: '127.1.0.5', initContainerStatuses: [running('ws-gateway')], containerStatuses: [waiting('app')] }),
    pod('classic', { podIP: 'fd00::7', containerStatuses: [running('app'), running('ws-gateway')] }),
  ]);
  assert.deepEqual(targets, [
    { namespace: 'apps', name: 'native', url: 'http://127.1.0.5:40010/stats' },
    { namespace: 'apps', name: 'classic', url: 'http://[fd00::7]:40010/stats' },
  ]);
});

test('no IP, a gateway that is not running, no gateway at all, or a pod being deleted: not a target', () => {
  assert.deepEqual(selectSampleTargets([
    pod('no-status', undefined),
    pod('no-ip', { initContainerStatuses: [running('ws-gateway')] }),
    pod('waiting', { podIP: '127.1.0.6', initContainerStatuses: [waiting('ws-gateway')] }),
    pod('uninjected', { podIP: '127.1.0.7', containerStatuses: [running('app')] }),
    pod('deleting', { podIP: '127.1.0.8', initContainerStatuses: [running('ws-gateway')] }, { deletionTimestamp: '2026-01-01T00:00:00Z' }),
  ]), []);
});
