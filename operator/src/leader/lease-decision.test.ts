// decideLease: acquire an absent, released or expired Lease, renew our own, wait for a live one, notice a lost one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildReleasedSpec, decideLease, observationKey, toMicroTime, type LeaseDecisionInputs } from './lease-decision.ts';

const T0 = new Date('2026-01-02T03:04:05.000Z');
const at = (seconds: number): Date => new Date(T0.getTime() + seconds * 1000);

function inputs(overrides: Partial<LeaseDecisionInputs> = {}): LeaseDecisionInputs {
  return { spec: undefined, observedAt: T0, now: T0, identity: 'a', leaseDurationSeconds: 15, leading: false, ...overrides };
}

test('no Lease yet: acquire with acquireTime = renewTime = now and 0 transitions', () => {
  assert.deepEqual(decideLease(inputs()), {
    kind: 'acquire',
    spec: { holderIdentity: 'a', leaseDurationSeconds: 15, acquireTime: '2026-01-02T03:04:05.000000Z', renewTime: '2026-01-02T03:04:05.000000Z', leaseTransitions: 0 },
  });
});

test('another holder: wait until its lease duration has passed since we observed it, then take it over (+1 transition)', () => {
  const spec = { holderIdentity: 'b', leaseDurationSeconds: 10, renewTime: toMicroTime(T0), acquireTime: toMicroTime(T0), leaseTransitions: 3 };
  assert.deepEqual(decideLease(inputs({ spec, now: at(9.9) })), { kind: 'wait', holder: 'b', expiresAt: at(10) });
  // Expiry counts from our own observation, not from renewTime (which another machine's clock wrote).
  assert.equal(decideLease(inputs({ spec, observedAt: at(5), now: at(12) })).kind, 'wait');
  const taken = decideLease(inputs({ spec, now: at(10) }));
  assert.equal(taken.kind, 'acquire');
  assert.deepEqual(taken.kind === 'acquire' ? taken.spec : undefined, {
    holderIdentity: 'a', leaseDurationSeconds: 15, acquireTime: toMicroTime(at(10)), renewTime: toMicroTime(at(10)), leaseTransitions: 4,
  });
});

test('our own Lease: renew moves renewTime only and keeps acquireTime and transitions', () => {
  const spec = { holderIdentity: 'a', leaseDurationSeconds: 15, renewTime: toMicroTime(T0), acquireTime: toMicroTime(T0), leaseTransitions: 2 };
  assert.deepEqual(decideLease(inputs({ spec, leading: true, now: at(5) })), {
    kind: 'renew', spec: { ...spec, renewTime: toMicroTime(at(5)) },
  });
});

test('leading, but the Lease names someone else: lost (never a silent re-acquire)', () => {
  const spec = { holderIdentity: 'b', leaseDurationSeconds: 15, renewTime: toMicroTime(T0), leaseTransitions: 1 };
  assert.deepEqual(decideLease(inputs({ spec, leading: true, now: at(60) })), { kind: 'lost', holder: 'b' });
});

test('a released Lease (empty holder) is taken at once, without waiting for expiry', () => {
  const held = { holderIdentity: 'b', leaseDurationSeconds: 15, renewTime: toMicroTime(T0), acquireTime: toMicroTime(T0), leaseTransitions: 1 };
  const released = buildReleasedSpec(held, at(1));
  assert.deepEqual(released, { holderIdentity: '', leaseDurationSeconds: 1, renewTime: toMicroTime(at(1)), acquireTime: toMicroTime(at(1)), leaseTransitions: 1 });
  const decision = decideLease(inputs({ spec: released, observedAt: at(1), now: at(1) }));
  assert.equal(decision.kind, 'acquire');
  assert.equal(decision.kind === 'acquire' ? decision.spec.leaseTransitions : undefined, 2);
});

test('observationKey changes with the holder or the renewTime, so a renewal restarts the expiry clock', () => {
  const spec = { holderIdentity: 'b', renewTime: toMicroTime(T0) };
  assert.equal(observationKey(spec), observationKey({ ...spec, leaseTransitions: 9 }));
  assert.notEqual(observationKey(spec), observationKey({ ...spec, renewTime: toMicroTime(at(1)) }));
  assert.notEqual(observationKey(spec), observationKey({ ...spec, holderIdentity: 'c' }));
  assert.equal(observationKey(undefined), '');
});
