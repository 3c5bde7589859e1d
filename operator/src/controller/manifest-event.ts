// Which Event (if any) a change of the ManifestValid condition deserves: Events are emitted on transitions only. Pure.
import { ConditionType } from '../status/condition-reasons.ts';
import type { Condition } from '../status/types.ts';

export interface EventToRecord {
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
}

/** A Warning when the manifest becomes invalid (or a different problem replaces the previous one), Normal when it recovers. */
export function decideManifestEvent(previous: Condition[] | undefined, next: Condition[]): EventToRecord | undefined {
  const before = previous?.find((condition) => condition.type === ConditionType.ManifestValid);
  const after = next.find((condition) => condition.type === ConditionType.ManifestValid);
  if (after === undefined) return undefined;
  if (after.status === 'False') {
    if (before?.status === 'False' && before.reason === after.reason && before.message === after.message) return undefined;
    return { type: 'Warning', reason: after.reason, message: `no gateway will be injected: ${after.message}` };
  }
  if (before?.status === 'False' && after.status === 'True') return { type: 'Normal', reason: after.reason, message: after.message };
  return undefined;
}
