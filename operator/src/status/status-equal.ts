// Whether two statuses differ in anything but lastSampleTime, so the writer patches /status only on change. Pure.
import { isJsonEqual } from '../kube/json.ts';
import type { GatewayStatus } from './types.ts';

export function isStatusEqual(a: GatewayStatus | undefined, b: GatewayStatus | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  const { lastSampleTime: _a, ...restA } = a;
  const { lastSampleTime: _b, ...restB } = b;
  return isJsonEqual(restA, restB);
}
