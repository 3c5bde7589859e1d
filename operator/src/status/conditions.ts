// Builds metav1.Conditions from the desired ones: lastTransitionTime moves only when a status flips. Pure.
import type { Condition, ConditionStatus } from './types.ts';

export interface DesiredCondition {
  type: string;
  status: ConditionStatus;
  reason: string;
  message: string;
}

export function buildConditions(
  desired: DesiredCondition[],
  previous: Condition[] | undefined,
  at: { generation: number; now: string },
): Condition[] {
  return desired.map((condition) => {
    const before = previous?.find((candidate) => candidate.type === condition.type);
    const lastTransitionTime = before !== undefined && before.status === condition.status ? before.lastTransitionTime : at.now;
    return { ...condition, observedGeneration: at.generation, lastTransitionTime };
  });
}
