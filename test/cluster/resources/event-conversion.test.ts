// Unit tests for the events.k8s.io/v1 ↔ core v1 Event conversion.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { eventsV1Codec } from './event-conversion.ts';

test('round trip renames note/regarding and keeps the rest', () => {
  const v1 = { apiVersion: 'events.k8s.io/v1', kind: 'Event', metadata: { name: 'e' }, note: 'hi', regarding: { kind: 'Pod', name: 'p' }, reason: 'R', reportingController: 'c' };
  const stored = eventsV1Codec.toStorage(v1);
  assert.deepEqual(stored, { apiVersion: 'v1', kind: 'Event', metadata: { name: 'e' }, message: 'hi', involvedObject: { kind: 'Pod', name: 'p' }, reason: 'R', reportingComponent: 'c' });
  assert.deepEqual(eventsV1Codec.fromStorage(stored), v1);
});
