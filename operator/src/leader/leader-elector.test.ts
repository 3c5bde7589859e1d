// The Lease loop against an in-memory Lease API: a 409 on write means re-read at once (here: another replica won),
// a leader renews, and stop() releases the Lease so another candidate can take it without waiting.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError, type ApiClient, type ApiRequest } from '../kube/api-client.ts';
import { createLeaderElector } from './leader-elector.ts';
import type { LeaseSpec } from './lease-decision.ts';

interface StoredLease { metadata: { name: string; namespace: string; resourceVersion: string }; spec: LeaseSpec }

/** One Lease with resourceVersion checks; `beforeWrite` runs once before the next write is applied. */
function fakeLeaseApi(): ApiClient & { lease: StoredLease | undefined; requests: string[]; beforeWrite?: () => void } {
  let version = 0;
  const api = {
    lease: undefined as StoredLease | undefined,
    requests: [] as string[],
    beforeWrite: undefined as (() => void) | undefined,
    close: () => {},
    request: <T>(req: ApiRequest): Promise<T> => {
      api.requests.push(req.method);
      if (req.method === 'GET') {
        if (api.lease === undefined) return Promise.reject(new ApiError(404, 'NotFound', 'not found', undefined));
        return Promise.resolve(structuredClone(api.lease) as T);
      }
      const hook = api.beforeWrite;
      api.beforeWrite = undefined;
      hook?.();
      const body = req.body as StoredLease;
      if (req.method === 'POST' && api.lease !== undefined) return Promise.reject(new ApiError(409, 'AlreadyExists', 'exists', undefined));
      if (req.method === 'PUT' && body.metadata.resourceVersion !== api.lease?.metadata.resourceVersion) {
        return Promise.reject(new ApiError(409, 'Conflict', 'the object has been modified', undefined));
      }
      version += 1;
      api.lease = { metadata: { name: 'lease', namespace: 'ns', resourceVersion: String(version) }, spec: body.spec };
      return Promise.resolve(structuredClone(api.lease) as T);
    },
  };
  return api;
}

async function waitFor(what: string, check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

test('a write that loses the race (409) is followed by a read at once, and the winner is respected', async (t) => {
  const api = fakeLeaseApi();
  api.lease = { metadata: { name: 'lease', namespace: 'ns', resourceVersion: '100' }, spec: { holderIdentity: '', leaseDurationSeconds: 1 } };
  // Between our read and our write another replica takes the released Lease.
  api.beforeWrite = () => {
    api.lease = { metadata: { name: 'lease', namespace: 'ns', resourceVersion: '101' }, spec: { holderIdentity: 'other', leaseDurationSeconds: 60, renewTime: new Date().toISOString() } };
  };
  const events: string[] = [];
  const elector = createLeaderElector({
    api, namespace: 'ns', name: 'lease', identity: 'me', leaseDurationSeconds: 60,
    onStartedLeading: () => events.push('started'), onStoppedLeading: () => events.push('stopped'),
  });
  t.after(() => elector.stop());
  elector.start();
  await waitFor('the re-read after the conflict', () => api.requests.length >= 3);
  assert.deepEqual(api.requests.slice(0, 3), ['GET', 'PUT', 'GET']);
  assert.equal(elector.isLeader(), false);
  assert.equal(api.lease?.spec.holderIdentity, 'other');
  assert.deepEqual(events, []);
});

test('a leader renews every retry period, and stop() releases the Lease for the next candidate', async () => {
  const api = fakeLeaseApi();
  const events: string[] = [];
  const elector = createLeaderElector({
    api, namespace: 'ns', name: 'lease', identity: 'me', leaseDurationSeconds: 60, retryPeriodMs: 20,
    onStartedLeading: () => events.push('started'), onStoppedLeading: (reason) => events.push(`stopped: ${reason}`),
  });
  elector.start();
  await waitFor('leading', () => elector.isLeader());
  assert.equal(api.lease?.spec.holderIdentity, 'me');
  assert.equal(api.lease?.spec.leaseTransitions, 0);
  const { renewTime: firstRenewal, acquireTime } = api.lease?.spec ?? {};
  await waitFor('a renewal', () => api.lease?.spec.renewTime !== firstRenewal);
  assert.equal(api.lease?.spec.acquireTime, acquireTime, 'a renewal keeps acquireTime');
  assert.equal(elector.isLeader(), true);
  await elector.stop();
  assert.equal(elector.isLeader(), false);
  assert.deepEqual(events, ['started', 'stopped: stopped']);
  assert.equal(api.lease?.spec.holderIdentity, '');
  assert.equal(api.lease?.spec.leaseDurationSeconds, 1);
  // A second candidate takes the released Lease on its first try.
  const next = createLeaderElector({
    api, namespace: 'ns', name: 'lease', identity: 'next', leaseDurationSeconds: 60,
    onStartedLeading: () => {}, onStoppedLeading: () => {},
  });
  next.start();
  await waitFor('the next leader', () => next.isLeader(), 1000);
  assert.equal(api.lease?.spec.leaseTransitions, 1);
  await next.stop();
});
