// Which Event (if any) a change of the ManifestValid condition deserves: Events are emitted on transitions only,
// a ManifestMissing Warning only after a grace period, and never the same Event twice in a row. Pure.
import { ConditionType, ManifestReason } from '../status/condition-reasons.ts';
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

/** Per Deployment key: a ManifestMissing Warning waiting out its grace period, and the last Event posted. */
export interface ManifestEventState {
  missingSince?: number;
  /** The ConfigMap arrived before its Warning was due: the Normal recovery that follows (maybe late) is not posted. */
  unwarned?: true;
  lastPosted?: string;
}

export interface GatedEvent {
  post: EventToRecord | undefined;
  state: ManifestEventState;
  /** Reconcile again after this long: the ManifestMissing Warning is due then if the ConfigMap is still missing. */
  recheckAfterMs?: number;
}

/** A ConfigMap applied with its Deployment reaches the cache a moment later: it must be missing this long to warn. */
export const MANIFEST_MISSING_GRACE_MS = 5000;

/**
 * Applies two rules to decideManifestEvent's answer (F16): a ManifestMissing Warning is posted only once the ConfigMap
 * has been missing for `graceMs` (and the Normal recovery from a Warning never posted is not posted either); an Event
 * equal to the last one posted for this key is not posted again (two reconciles reading a cache that lags our own
 * status write would both see the same transition).
 */
export function gateManifestEvent(inputs: {
  state: ManifestEventState;
  event: EventToRecord | undefined;
  /** The ManifestValid condition just computed. */
  current: Condition | undefined;
  nowMs: number;
  graceMs: number;
}): GatedEvent {
  const { state, current, nowMs, graceMs } = inputs;
  const missing = current?.status === 'False' && current.reason === ManifestReason.ManifestMissing;
  if (missing && (state.missingSince !== undefined || inputs.event?.reason === ManifestReason.ManifestMissing)) {
    const since = state.missingSince ?? nowMs;
    const waited = nowMs - since;
    if (waited < graceMs) return { post: undefined, state: { ...state, missingSince: since }, recheckAfterMs: graceMs - waited };
    const warning = inputs.event ?? { type: 'Warning' as const, reason: current.reason, message: `no gateway will be injected: ${current.message}` };
    return postOnce({ lastPosted: state.lastPosted }, warning);
  }
  // The ConfigMap arrived within the grace period: the Warning was never posted, so there is nothing to recover from,
  // however many reconciles (reading a cache that lags our status writes) see the False → True transition; this
  // holds until a Warning is posted again.
  const unwarned = state.missingSince !== undefined || state.unwarned === true;
  const kept: ManifestEventState = { ...(state.lastPosted === undefined ? {} : { lastPosted: state.lastPosted }), ...(unwarned ? { unwarned: true as const } : {}) };
  if (inputs.event === undefined || (unwarned && inputs.event.type === 'Normal')) return { post: undefined, state: kept };
  return postOnce(kept, inputs.event);
}

function postOnce(state: ManifestEventState, event: EventToRecord): GatedEvent {
  const signature = `${event.type}/${event.reason}/${event.message}`;
  if (state.lastPosted === signature) return { post: undefined, state };
  // Only a Warning gets here while unwarned: posting it ends the episode, so its recovery gets a Normal event again.
  return { post: event, state: { lastPosted: signature } };
}
