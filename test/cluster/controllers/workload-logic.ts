// Pure: the Deployment/ReplicaSet arithmetic — pod-template-hash, maxSurge/maxUnavailable, rolling-update steps,
// deployment status and conditions, pod readiness.
import { isJsonObject, type JsonObject, type JsonValue } from '../patch/json-value.ts';

const SAFE_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** FNV-1a 32-bit over the template (keys sorted), encoded like the apiserver's rand.SafeEncodeString. */
export function podTemplateHash(template: JsonValue, collisionCount = 0): string {
  let h = 0x811c9dc5;
  const text = stableJson(template) + (collisionCount > 0 ? String(collisionCount) : '');
  for (const byte of Buffer.from(text, 'utf8')) {
    h ^= byte;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return [...String(h)].map((d) => SAFE_ALPHABET[d.charCodeAt(0) % SAFE_ALPHABET.length]).join('');
}

function stableJson(v: JsonValue | undefined): string {
  if (Array.isArray(v)) return `[${v.map(stableJson).join(',')}]`;
  if (isJsonObject(v)) return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${stableJson(v[k])}`).join(',')}}`;
  return JSON.stringify(v ?? null);
}

/** An int-or-percent of `total`; percentages round up for surge, down for unavailable (as the apiserver). */
export function resolveIntOrPercent(value: JsonValue | undefined, total: number, roundUp: boolean, fallback: number): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && /^\d+%$/.test(value)) {
    const exact = (Number(value.slice(0, -1)) * total) / 100;
    return roundUp ? Math.ceil(exact) : Math.floor(exact);
  }
  if (typeof value === 'string' && /^\d+$/.test(value)) return Number(value);
  return fallback;
}

export function surgeAndUnavailable(strategy: JsonValue | undefined, desired: number): { maxSurge: number; maxUnavailable: number } {
  const ru = isJsonObject(strategy) && isJsonObject(strategy.rollingUpdate) ? strategy.rollingUpdate : {};
  const maxSurge = resolveIntOrPercent(ru.maxSurge, desired, true, Math.ceil(desired / 4));
  let maxUnavailable = resolveIntOrPercent(ru.maxUnavailable, desired, false, Math.floor(desired / 4));
  if (maxSurge === 0 && maxUnavailable === 0) maxUnavailable = 1; // the apiserver forbids both 0; the controller uses 1
  return { maxSurge, maxUnavailable: Math.min(maxUnavailable, desired) };
}

export interface RsView {
  name: string;
  /** spec.replicas */
  replicas: number;
  /** status.availableReplicas */
  available: number;
  creationTimestamp: string;
}

/**
 * One rolling-update step: the new spec.replicas of the new ReplicaSet and of each old one.
 * Scale up the new RS within desired + maxSurge pods; scale old ones down (oldest first) while at least
 * desired - maxUnavailable pods stay available.
 */
export function rollingStep(desired: number, strategy: JsonValue | undefined, newRs: RsView, oldRss: RsView[]): { newReplicas: number; old: Map<string, number> } {
  const { maxSurge, maxUnavailable } = surgeAndUnavailable(strategy, desired);
  const old = new Map(oldRss.map((r) => [r.name, r.replicas]));
  const oldTotal = oldRss.reduce((s, r) => s + r.replicas, 0);
  let newReplicas = newRs.replicas;
  if (newReplicas < desired) {
    const room = desired + maxSurge - (oldTotal + newReplicas);
    if (room > 0) newReplicas = Math.min(desired, newReplicas + room);
  } else if (newReplicas > desired) {
    newReplicas = desired;
  }
  const minAvailable = desired - maxUnavailable;
  const newUnavailable = Math.max(0, newRs.replicas - newRs.available);
  let maxScaledDown = oldTotal + newRs.replicas - minAvailable - newUnavailable;
  if (maxScaledDown <= 0) return { newReplicas, old };
  const sorted = [...oldRss].sort((a, b) => a.creationTimestamp.localeCompare(b.creationTimestamp));
  // Old pods that are not available cost no availability: remove them first.
  for (const r of sorted) {
    if (maxScaledDown <= 0) break;
    const cut = Math.min(Math.max(0, r.replicas - r.available), maxScaledDown);
    old.set(r.name, r.replicas - cut);
    maxScaledDown -= cut;
  }
  // Then available old pods, while the available total stays at or above minAvailable.
  const availableTotal = oldRss.reduce((s, r) => s + Math.min(r.available, old.get(r.name)!), 0) + newRs.available;
  let budget = Math.min(maxScaledDown, availableTotal - minAvailable);
  for (const r of sorted) {
    if (budget <= 0) break;
    const current = old.get(r.name)!;
    const cut = Math.min(current, budget);
    old.set(r.name, current - cut);
    budget -= cut;
  }
  return { newReplicas, old };
}

export interface RsStatusView {
  replicas: number;
  readyReplicas: number;
  availableReplicas: number;
}

export interface DeploymentStatusInput {
  desired: number;
  generation: number;
  strategy: JsonValue | undefined;
  newRs: RsStatusView | undefined;
  newRsSpecReplicas: number;
  allRs: RsStatusView[];
  oldSpecReplicas: number;
  previousConditions: JsonObject[];
  now: string;
  newRsName: string | undefined;
  paused: boolean;
}

export function deploymentStatus(input: DeploymentStatusInput): JsonObject {
  const sum = (k: keyof RsStatusView): number => input.allRs.reduce((s, r) => s + r[k], 0);
  const replicas = sum('replicas');
  const available = sum('availableReplicas');
  const updated = input.newRs?.replicas ?? 0;
  const maxUnavailable = input.strategy !== undefined && isJsonObject(input.strategy) && input.strategy.type === 'Recreate'
    ? 0 : surgeAndUnavailable(input.strategy, input.desired).maxUnavailable;
  const minAvailable = input.desired - maxUnavailable;
  const complete = updated === input.desired && replicas === input.desired && available === input.desired && input.oldSpecReplicas === 0
    && (input.newRs?.availableReplicas ?? 0) === input.desired;
  const availableCond = available >= minAvailable
    ? { type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable', message: 'Deployment has minimum availability.' }
    : { type: 'Available', status: 'False', reason: 'MinimumReplicasUnavailable', message: 'Deployment does not have minimum availability.' };
  const rsText = `ReplicaSet "${input.newRsName ?? ''}"`;
  const progressing = complete
    ? { type: 'Progressing', status: 'True', reason: 'NewReplicaSetAvailable', message: `${rsText} has successfully progressed.` }
    : { type: 'Progressing', status: 'True', reason: 'ReplicaSetUpdated', message: `${rsText} is progressing.` };
  const status: JsonObject = {
    observedGeneration: input.generation,
    replicas,
    updatedReplicas: updated,
    readyReplicas: sum('readyReplicas'),
    availableReplicas: available,
    conditions: [mergeCondition(input.previousConditions, availableCond, input.now), mergeCondition(input.previousConditions, progressing, input.now)],
  };
  const unavailable = Math.max(0, input.desired - available);
  if (unavailable > 0) status.unavailableReplicas = unavailable;
  // The apiserver omits zero counts.
  for (const k of ['replicas', 'updatedReplicas', 'readyReplicas', 'availableReplicas']) if (status[k] === 0) delete status[k];
  return status;
}

/** A condition keeping lastTransitionTime while its status is unchanged (lastUpdateTime moves with reason/message). */
export function mergeCondition(previous: JsonObject[], next: Record<string, string>, now: string): JsonObject {
  const old = previous.find((c) => c.type === next.type);
  const transition = old !== undefined && old.status === next.status && typeof old.lastTransitionTime === 'string' ? old.lastTransitionTime : now;
  const sameText = old !== undefined && old.reason === next.reason && old.message === next.message && typeof old.lastUpdateTime === 'string';
  return { ...next, lastUpdateTime: sameText ? old.lastUpdateTime! : now, lastTransitionTime: transition };
}

export function podIsReady(pod: JsonObject): boolean {
  const status = isJsonObject(pod.status) ? pod.status : {};
  const conditions = Array.isArray(status.conditions) ? status.conditions : [];
  return conditions.some((c) => isJsonObject(c) && c.type === 'Ready' && c.status === 'True');
}

/** Pods to delete when scaling down: unscheduled, then pending, then not ready, then the newest (as the RS controller). */
export function scaleDownOrder(pods: JsonObject[]): JsonObject[] {
  const rank = (p: JsonObject): number => {
    const spec = isJsonObject(p.spec) ? p.spec : {};
    const status = isJsonObject(p.status) ? p.status : {};
    if (typeof spec.nodeName !== 'string') return 0;
    if (status.phase === 'Pending') return 1;
    if (!podIsReady(p)) return 2;
    return 3;
  };
  const created = (p: JsonObject): string => (isJsonObject(p.metadata) && typeof p.metadata.creationTimestamp === 'string' ? p.metadata.creationTimestamp : '');
  return [...pods].sort((a, b) => rank(a) - rank(b) || created(b).localeCompare(created(a)));
}
