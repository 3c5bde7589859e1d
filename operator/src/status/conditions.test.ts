// buildConditions: new conditions start now; a kept status keeps its time; order follows the desired list.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildConditions } from './conditions.ts';

test('conditions keep or move lastTransitionTime by status only', () => {
  const previous = [
    { type: 'Ready', status: 'True' as const, reason: 'A', message: 'm', observedGeneration: 1, lastTransitionTime: 'T0' },
    { type: 'Injected', status: 'False' as const, reason: 'B', message: 'm', observedGeneration: 1, lastTransitionTime: 'T0' },
    { type: 'Gone', status: 'True' as const, reason: 'C', message: 'm', observedGeneration: 1, lastTransitionTime: 'T0' },
  ];
  const built = buildConditions([
    { type: 'Ready', status: 'True', reason: 'Other', message: 'changed' },
    { type: 'Injected', status: 'True', reason: 'B', message: 'm' },
    { type: 'ManifestValid', status: 'Unknown', reason: 'D', message: 'm' },
  ], previous, { generation: 2, now: 'T1' });
  assert.deepEqual(built, [
    { type: 'Ready', status: 'True', reason: 'Other', message: 'changed', observedGeneration: 2, lastTransitionTime: 'T0' },
    { type: 'Injected', status: 'True', reason: 'B', message: 'm', observedGeneration: 2, lastTransitionTime: 'T1' },
    { type: 'ManifestValid', status: 'Unknown', reason: 'D', message: 'm', observedGeneration: 2, lastTransitionTime: 'T1' },
  ]);
});
