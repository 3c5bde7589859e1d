// Posts core/v1 Events about a Deployment (I/O). Best effort: a failed Event is reported, never a reconcile failure.
import type { ApiClient } from '../kube/api-client.ts';
import { FIELD_MANAGER } from '../naming.ts';
import { toRfc3339 } from '../status/compute-status.ts';
import type { EventToRecord } from './manifest-event.ts';

export interface EventTarget {
  apiVersion: string;
  kind: string;
  name: string;
  namespace: string;
  uid: string;
}

export type EventRecorder = (target: EventTarget, event: EventToRecord) => Promise<void>;

export function createEventRecorder(options: { api: ApiClient; instance: string; now?: () => Date; onError?: (error: Error) => void }): EventRecorder {
  const now = options.now ?? (() => new Date());
  return async (target, event) => {
    const at = now();
    const time = toRfc3339(at);
    const body = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { generateName: `${target.name}.`, namespace: target.namespace },
      involvedObject: target,
      type: event.type,
      reason: event.reason,
      message: event.message.slice(0, 1024),
      source: { component: FIELD_MANAGER },
      reportingComponent: FIELD_MANAGER,
      reportingInstance: options.instance,
      firstTimestamp: time,
      lastTimestamp: time,
      count: 1,
    };
    try {
      await options.api.request({ method: 'POST', path: `/api/v1/namespaces/${target.namespace}/events`, body });
    } catch (error) {
      options.onError?.(new Error(`could not record the ${event.reason} Event on ${target.kind} ${target.namespace}/${target.name}`, { cause: error }));
    }
  };
}
