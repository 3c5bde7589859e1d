// Whether to restart a Deployment's pods because their injected gateway config is outdated (--restart-outdated on),
// like `kubectl rollout restart`: at most one Deployment rolling at a time, never for an invalid manifest, never twice
// for the same expected configHash. Pure.
import { allContainers, type Pod } from '../kube/pod.ts';
import { GATEWAY_CONTAINER, INJECTED_ANNOTATION, OLARES_SIDECAR_CONTAINER } from '../naming.ts';

/** Pod template annotation whose change makes the Deployment controller replace the pods (as kubectl's restartedAt). */
export const RESTARTED_AT_ANNOTATION = 'tapr.io/restartedAt';
/** Pod template annotation: the configHash the last restart was for; the same hash is never restarted for again. */
export const RESTARTED_FOR_ANNOTATION = 'tapr.io/restarted-for';

/** The parts of a Deployment's spec and status that say whether its rollout is complete. */
export interface RolloutView {
  key: string;
  generation: number;
  observedGeneration: number;
  /** spec.replicas (default 1). */
  desiredReplicas: number;
  /** status.replicas, updatedReplicas, availableReplicas. */
  replicas: number;
  updatedReplicas: number;
  availableReplicas: number;
  paused: boolean;
  /** Pod template annotations written by an earlier restart of ours. */
  restartedAt: string | undefined;
  restartedFor: string | undefined;
}

export function readRollout(key: string, deployment: unknown): RolloutView {
  const object = record(deployment);
  const metadata = record(object.metadata);
  const spec = record(object.spec);
  const status = record(object.status);
  const annotations = record(record(record(spec.template).metadata).annotations);
  return {
    key,
    generation: numberOr(metadata.generation, 0),
    observedGeneration: numberOr(status.observedGeneration, 0),
    desiredReplicas: numberOr(spec.replicas, 1),
    replicas: numberOr(status.replicas, 0),
    updatedReplicas: numberOr(status.updatedReplicas, 0),
    availableReplicas: numberOr(status.availableReplicas, 0),
    paused: spec.paused === true,
    restartedAt: stringOr(annotations[RESTARTED_AT_ANNOTATION]),
    restartedFor: stringOr(annotations[RESTARTED_FOR_ANNOTATION]),
  };
}

/** As `kubectl rollout status`: the controller saw the latest spec, every pod is updated and available, no old pod is left. */
export function isRolloutComplete(rollout: RolloutView): boolean {
  return rollout.observedGeneration >= rollout.generation
    && rollout.updatedReplicas >= rollout.desiredReplicas
    && rollout.replicas <= rollout.updatedReplicas
    && rollout.availableReplicas >= rollout.updatedReplicas;
}

/**
 * The Deployments whose restart by us is still rolling: those carrying our restartedAt annotation whose rollout is not
 * complete, and those we patched whose new generation the cache has not shown yet (`requested`: key → generation the
 * patch produced).
 */
export function findRollingRestarts(rollouts: readonly RolloutView[], requested: ReadonlyMap<string, number>): string[] {
  const rolling = new Set<string>();
  const byKey = new Map(rollouts.map((rollout) => [rollout.key, rollout]));
  for (const rollout of rollouts) if (rollout.restartedAt !== undefined && !isRolloutComplete(rollout)) rolling.add(rollout.key);
  for (const [key, generation] of requested) {
    const cached = byKey.get(key);
    if (cached !== undefined && cached.generation < generation) rolling.add(key);
  }
  return [...rolling].sort();
}

/** Pods whose gateway config differs from what injection would produce now; pods with the Olares sidecar are never injected. */
export function findOutdatedPods(pods: readonly Pod[], expectedHash: string): string[] {
  const outdated: string[] = [];
  for (const pod of pods) {
    const containers = allContainers(pod);
    const hash = pod.metadata?.annotations?.[INJECTED_ANNOTATION];
    const injected = containers.some((container) => container.name === GATEWAY_CONTAINER);
    if (!injected && containers.some((container) => container.name === OLARES_SIDECAR_CONTAINER)) continue;
    if (injected && hash === expectedHash) continue;
    outdated.push(pod.metadata?.name ?? '');
  }
  return outdated.sort();
}

export const RestartSkip = {
  /** No valid websocket block: nothing would be injected, so nothing is outdated. */
  ManifestInvalid: 'ManifestInvalid',
  UpToDate: 'UpToDate',
  /** Restarted once for this configHash already; the pods stayed outdated (e.g. injection failed), so no loop. */
  AlreadyRestarted: 'AlreadyRestarted',
  Paused: 'Paused',
  /** This Deployment's own rollout is running (or our restart was just requested): its new pods get the new config. */
  RolloutInProgress: 'RolloutInProgress',
} as const;
export type RestartSkip = (typeof RestartSkip)[keyof typeof RestartSkip];

export interface RestartInput {
  rollout: RolloutView;
  /** The Deployment's pods that are not being deleted. */
  pods: readonly Pod[];
  /** The configHash injection produces now; undefined when the manifest has no valid websocket block. */
  expectedHash: string | undefined;
  /** Keys of the Deployments whose restart is rolling now (findRollingRestarts), possibly this one. */
  rolling: readonly string[];
}

export type RestartDecision =
  | { kind: 'restart'; expectedHash: string; outdatedPods: string[] }
  | { kind: 'skip'; reason: RestartSkip; message: string }
  /** Another Deployment is rolling: ask again later. */
  | { kind: 'wait'; rolling: string; message: string };

export function decideRestart(input: RestartInput): RestartDecision {
  const { rollout, expectedHash } = input;
  if (expectedHash === undefined) return skip(RestartSkip.ManifestInvalid, 'the manifest has no valid websocket block');
  const outdatedPods = findOutdatedPods(input.pods, expectedHash);
  if (outdatedPods.length === 0) return skip(RestartSkip.UpToDate, 'every pod runs the current gateway config');
  if (rollout.restartedFor === expectedHash) {
    return skip(RestartSkip.AlreadyRestarted, `already restarted for configHash ${expectedHash}; ${outdatedPods.length} pod(s) stayed outdated`);
  }
  if (rollout.paused) return skip(RestartSkip.Paused, 'the Deployment is paused');
  if (input.rolling.includes(rollout.key) || !isRolloutComplete(rollout)) {
    return skip(RestartSkip.RolloutInProgress, 'the Deployment is rolling out; its new pods get the current config');
  }
  const other = input.rolling.find((key) => key !== rollout.key);
  if (other !== undefined) return { kind: 'wait', rolling: other, message: `waiting for the restart of ${other} to complete` };
  return { kind: 'restart', expectedHash, outdatedPods };
}

/** The merge patch that restarts the pods, with the resourceVersion the decision was made on (a change meanwhile → 409). */
export function buildRestartPatch(input: { resourceVersion: string | undefined; restartedAt: string; expectedHash: string }): Record<string, unknown> {
  return {
    metadata: input.resourceVersion === undefined ? {} : { resourceVersion: input.resourceVersion },
    spec: { template: { metadata: { annotations: { [RESTARTED_AT_ANNOTATION]: input.restartedAt, [RESTARTED_FOR_ANNOTATION]: input.expectedHash } } } },
  };
}

function skip(reason: RestartSkip, message: string): RestartDecision {
  return { kind: 'skip', reason, message };
}

function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function numberOr(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : fallback;
}

function stringOr(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}
