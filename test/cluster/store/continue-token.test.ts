// Unit tests for continue tokens.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeContinue, encodeContinue } from './continue-token.ts';

test('round trip and garbage', () => {
  assert.deepEqual(decodeContinue(encodeContinue({ resourceVersion: 12, after: 'ns/b' })), { resourceVersion: 12, after: 'ns/b' });
  assert.equal(decodeContinue('not-a-token'), undefined);
  assert.equal(decodeContinue(Buffer.from('{"v":"x"}').toString('base64url')), undefined);
});
