// The one mapping from API errors to reconcile results: invalid requests are terminal, everything else is retried. Pure.
import { ApiError } from '../kube/api-client.ts';
import type { ReconcileResult } from './work-queue.ts';

/** 400 and 422 mean what we sent is refused as such: retrying the same write cannot help (new inputs re-enqueue the key). */
const TERMINAL_STATUSES = new Set([400, 422]);

export function resultFromError(error: unknown): ReconcileResult {
  if (error instanceof ApiError && TERMINAL_STATUSES.has(error.status)) return { kind: 'terminal', error };
  return { kind: 'retry', error };
}
