// Result mapping: refused writes are terminal; conflicts, missing objects, throttling and network errors are retried.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError } from '../kube/api-client.ts';
import { resultFromError } from './reconcile-result.ts';

test('400 and 422 are terminal; 404, 409, 429, 500 and network errors are retried', () => {
  const kinds = [400, 422, 404, 409, 429, 500].map((status) => resultFromError(new ApiError(status, 'R', 'm', undefined)).kind);
  assert.deepEqual(kinds, ['terminal', 'terminal', 'retry', 'retry', 'retry', 'retry']);
  assert.equal(resultFromError(new Error('ECONNREFUSED')).kind, 'retry');
});
