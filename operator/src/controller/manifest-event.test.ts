// Manifest Events on transitions only: invalid → Warning once; a different problem → a new Warning; recovery → Normal.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Condition } from '../status/types.ts';
import { decideManifestEvent, gateManifestEvent } from './manifest-event.ts';

const condition = (status: 'True' | 'False', reason: string, message: string): Condition[] => [
  { type: 'ManifestValid', status, reason, message, observedGeneration: 1, lastTransitionTime: '2026-01-01T00:00:00Z' },
];
const invalid = condition('False', 'ManifestInvalid', 'options.websocket.port: expected an integer from 1 to 65535, got 70000');

test('a manifest that becomes invalid gives one Warning naming the field; the same problem again gives none', () => {
  const event = decideManifestEvent(condition('True', 'ManifestValid', 'ok'), invalid);
  assert.equal(event?.type, 'Warning');
  assert.equal(event?.reason, 'ManifestInvalid');
  assert.match(event?.message ?? '', /options\.websocket\.port/);
  assert.equal(decideManifestEvent(invalid, invalid), undefined);
});

test('a new CR with an invalid manifest warns; another problem warns again; recovery is a Normal event; valid→valid is silent', () => {
  assert.equal(decideManifestEvent(undefined, invalid)?.type, 'Warning');
  assert.equal(decideManifestEvent(invalid, condition('False', 'ManifestMissing', 'ConfigMap x ...'))?.reason, 'ManifestMissing');
  assert.equal(decideManifestEvent(invalid, condition('True', 'ManifestValid', 'ok'))?.type, 'Normal');
  assert.equal(decideManifestEvent(condition('True', 'ManifestValid', 'a'), condition('True', 'ManifestValid', 'b')), undefined);
  assert.equal(decideManifestEvent(undefined, condition('True', 'ManifestValid', 'ok')), undefined);
});

const missing = condition('False', 'ManifestMissing', 'ConfigMap apps/m not found')[0]!;
const valid = condition('True', 'ManifestValid', 'options.websocket: url /ws, port 8888')[0]!;
const missingWarning = { type: 'Warning' as const, reason: 'ManifestMissing', message: 'no gateway will be injected: ConfigMap apps/m not found' };
const recovered = { type: 'Normal' as const, reason: 'ManifestValid', message: valid.message };

test('ManifestMissing waits out the grace period: the ConfigMap arriving meanwhile means no Warning and no Normal event', () => {
  const first = gateManifestEvent({ state: {}, event: missingWarning, current: missing, nowMs: 1000, graceMs: 5000 });
  assert.deepEqual(first, { post: undefined, state: { missingSince: 1000 }, recheckAfterMs: 5000 });
  const arrived = gateManifestEvent({ state: first.state, event: recovered, current: valid, nowMs: 1200, graceMs: 5000 });
  assert.deepEqual(arrived, { post: undefined, state: { unwarned: true } });
  // Reconciles that read the CR before the False status reached the cache see the transition again, later: still nothing.
  const stale = gateManifestEvent({ state: arrived.state, event: recovered, current: valid, nowMs: 1300, graceMs: 5000 });
  assert.deepEqual(stale, { post: undefined, state: { unwarned: true } });
  // A later real problem warns, and its recovery is posted.
  const invalidEvent = decideManifestEvent(condition('True', 'ManifestValid', 'ok'), invalid)!;
  const warned = gateManifestEvent({ state: stale.state, event: invalidEvent, current: invalid[0], nowMs: 9000, graceMs: 5000 });
  assert.deepEqual(warned.post, invalidEvent);
  assert.deepEqual(gateManifestEvent({ state: warned.state, event: recovered, current: valid, nowMs: 9100, graceMs: 5000 }).post, recovered);
});

test('still missing after the grace period: the Warning is posted once (on the recheck, with no transition left to see)', () => {
  const first = gateManifestEvent({ state: {}, event: missingWarning, current: missing, nowMs: 1000, graceMs: 5000 });
  const early = gateManifestEvent({ state: first.state, event: undefined, current: missing, nowMs: 3000, graceMs: 5000 });
  assert.equal(early.post, undefined);
  assert.equal(early.recheckAfterMs, 3000);
  const due = gateManifestEvent({ state: early.state, event: undefined, current: missing, nowMs: 6000, graceMs: 5000 });
  assert.deepEqual(due.post, missingWarning);
  assert.equal(gateManifestEvent({ state: due.state, event: undefined, current: missing, nowMs: 9000, graceMs: 5000 }).post, undefined);
  // Then the ConfigMap appears: one Normal event, and a second reconcile seeing the same transition posts nothing.
  const back = gateManifestEvent({ state: due.state, event: recovered, current: valid, nowMs: 10_000, graceMs: 5000 });
  assert.deepEqual(back.post, recovered);
  assert.equal(gateManifestEvent({ state: back.state, event: recovered, current: valid, nowMs: 10_050, graceMs: 5000 }).post, undefined);
});

test('other Events are not delayed; a genuine flip back and forth posts each transition', () => {
  const invalidEvent = decideManifestEvent(condition('True', 'ManifestValid', 'ok'), invalid)!;
  const warned = gateManifestEvent({ state: {}, event: invalidEvent, current: invalid[0], nowMs: 0, graceMs: 5000 });
  assert.deepEqual(warned.post, invalidEvent);
  const normal = gateManifestEvent({ state: warned.state, event: recovered, current: valid, nowMs: 1, graceMs: 5000 });
  assert.deepEqual(normal.post, recovered);
  assert.deepEqual(gateManifestEvent({ state: normal.state, event: invalidEvent, current: invalid[0], nowMs: 2, graceMs: 5000 }).post, invalidEvent);
});
