// Manifest Events on transitions only: invalid → Warning once; a different problem → a new Warning; recovery → Normal.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Condition } from '../status/types.ts';
import { decideManifestEvent } from './manifest-event.ts';

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
