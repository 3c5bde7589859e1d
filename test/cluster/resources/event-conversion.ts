// Pure: converts events.k8s.io/v1 Events to and from the core v1 Event that is stored (they share storage).
import type { JsonObject } from '../patch/json-value.ts';
import type { Codec } from './resource-type.ts';

/** events.k8s.io/v1 field ↔ core v1 field. */
const RENAMES: [string, string][] = [
  ['note', 'message'],
  ['regarding', 'involvedObject'],
  ['reportingController', 'reportingComponent'],
  ['deprecatedSource', 'source'],
  ['deprecatedFirstTimestamp', 'firstTimestamp'],
  ['deprecatedLastTimestamp', 'lastTimestamp'],
  ['deprecatedCount', 'count'],
];

function rename(obj: JsonObject, pairs: [string, string][], apiVersion: string): JsonObject {
  const out: JsonObject = { ...obj, apiVersion, kind: 'Event' };
  for (const [from, to] of pairs) {
    if (Object.hasOwn(out, from)) {
      out[to] = out[from]!;
      delete out[from];
    }
  }
  return out;
}

export const eventsV1Codec: Codec = {
  toStorage: (obj) => rename(obj, RENAMES, 'v1'),
  fromStorage: (obj) => rename(obj, RENAMES.map(([a, b]) => [b, a]), 'events.k8s.io/v1'),
};
