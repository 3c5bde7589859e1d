// Aggregates the Deployment's pods, their /stats samples and the manifest into the CR status (SPEC B2, B4). Pure.
import type { ManifestLookup } from '../manifest/manifest-lookup.ts';
import { describeMissingManifest } from '../manifest/manifest-lookup.ts';
import { describeManifestError } from '../manifest/parse-manifest.ts';
import { OLARES_SIDECAR_CONTAINER } from '../naming.ts';
import { ConditionType, InjectedReason, ManifestReason, ReadyReason } from './condition-reasons.ts';
import { buildConditions, type DesiredCondition } from './conditions.ts';
import type { StatsSample } from './stats-sample.ts';
import type { GatewayStatus, PodGatewayStatus } from './types.ts';

export interface PodObservation {
  name: string;
  /** The pod has the ws-gateway container. */
  injected: boolean;
  /** The pod has Olares' own sidecar (olares-ws-sidecar), which the webhook leaves alone. */
  olaresSidecar?: boolean;
  /** Its tapr.io/injected annotation: the configHash it was created with. */
  injectedHash?: string;
  /** The latest /stats sample; undefined while the pod has not been sampled (e.g. no IP yet). */
  sample?: StatsSample;
}

export interface StatusInputs {
  namespace: string;
  generation: number;
  manifest: ManifestLookup;
  /** The configHash gateways get when injected now; undefined when no gateway is wanted or possible. */
  currentConfigHash: string | undefined;
  pods: PodObservation[];
  previous: GatewayStatus | undefined;
  now: Date;
}

/** How many pod names a condition message lists before "and N more". */
const NAMES_SHOWN = 5;

export function computeStatus(inputs: StatusInputs): GatewayStatus {
  const pods = [...inputs.pods].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)).map(buildPodStatus);
  const replicas = pods.length;
  const ready = pods.filter((pod) => pod.ready);
  const injectedReplicas = pods.filter((pod) => pod.injected).length;
  const current = inputs.currentConfigHash;
  const outdatedReplicas = current === undefined ? 0 : pods.filter((pod) => !pod.injected || pod.configHash !== current).length;
  const now = toRfc3339(inputs.now);
  const connections = sum(ready.map((pod) => pod.connections ?? 0));
  // Every user holds at least one connection, so users > connections is never true. It still appears when the
  // shared-users count (recounted once per backplane heartbeat, 5 s) lags the connection counts (sampled every
  // status interval): "1 connection, 2 users" right after a user left. Connections are the fresher figure, so they bound users.
  const desired: DesiredCondition[] = [
    readyCondition(pods, ready.length),
    manifestCondition(inputs.manifest, inputs.namespace),
    injectedCondition(pods, injectedReplicas, new Set(inputs.pods.filter((pod) => !pod.injected && pod.olaresSidecar === true).map((pod) => pod.name))),
  ];
  return {
    observedGeneration: inputs.generation,
    replicas,
    injectedReplicas,
    readyReplicas: ready.length,
    readyText: `${ready.length}/${replicas}`,
    outdatedReplicas,
    connections,
    users: Math.min(countUsers(inputs.pods, ready), connections),
    pods,
    lastSampleTime: now,
    conditions: buildConditions(desired, inputs.previous?.conditions, { generation: inputs.generation, now }),
  };
}

function buildPodStatus(pod: PodObservation): PodGatewayStatus {
  const status: PodGatewayStatus = { name: pod.name, injected: pod.injected, ready: false };
  if (!pod.injected) return { ...status, message: pod.olaresSidecar === true ? `no gateway in this pod: it carries the Olares sidecar ${OLARES_SIDECAR_CONTAINER}` : 'no gateway in this pod' };
  const sample = pod.sample;
  if (sample?.kind === 'stats') {
    return { ...status, ready: true, connections: sample.connections, users: sample.users, configHash: sample.configHash };
  }
  if (pod.injectedHash !== undefined) status.configHash = pod.injectedHash;
  status.message = sample === undefined ? 'not sampled yet' : truncate(sample.message, 1024);
  return status;
}

function readyCondition(pods: PodGatewayStatus[], readyCount: number): DesiredCondition {
  const type = ConditionType.Ready;
  if (pods.length === 0) return { type, status: 'False', reason: ReadyReason.NoPods, message: 'the Deployment has no pods' };
  if (readyCount === pods.length) {
    return { type, status: 'True', reason: ReadyReason.AllGatewaysReady, message: `${readyCount}/${pods.length} gateways answered /stats` };
  }
  const unready = pods.filter((pod) => !pod.ready).map((pod) => `${pod.name} (${pod.message ?? 'not ready'})`);
  return {
    type,
    status: 'False',
    reason: ReadyReason.GatewaysNotReady,
    message: `${readyCount}/${pods.length} gateways ready; not ready: ${listNames(unready)}`,
  };
}

function manifestCondition(manifest: ManifestLookup, namespace: string): DesiredCondition {
  const type = ConditionType.ManifestValid;
  switch (manifest.kind) {
    case 'websocket':
      return { type, status: 'True', reason: ManifestReason.ManifestValid, message: `options.websocket: url ${manifest.url}, port ${manifest.port}` };
    case 'none':
      return { type, status: 'True', reason: ManifestReason.NoWebSocketBlock, message: 'the manifest has no options.websocket: new pods get no gateway' };
    case 'invalid':
      return { type, status: 'False', reason: ManifestReason.ManifestInvalid, message: truncate(describeManifestError(manifest), 4096) };
    case 'missing':
      return { type, status: 'False', reason: ManifestReason.ManifestMissing, message: describeMissingManifest(manifest, namespace) };
  }
}

function injectedCondition(pods: PodGatewayStatus[], injectedCount: number, withOlaresSidecar: ReadonlySet<string>): DesiredCondition {
  const type = ConditionType.Injected;
  if (pods.length === 0) return { type, status: 'False', reason: InjectedReason.NoPods, message: 'the Deployment has no pods' };
  if (injectedCount === pods.length) {
    return { type, status: 'True', reason: InjectedReason.AllPodsInjected, message: `${injectedCount}/${pods.length} pods carry the gateway` };
  }
  const olares = pods.filter((pod) => withOlaresSidecar.has(pod.name)).map((pod) => pod.name);
  const without = pods.filter((pod) => !pod.injected && !withOlaresSidecar.has(pod.name)).map((pod) => pod.name);
  const olaresText = `${olares.length === 1 ? 'carries' : 'carry'} the Olares sidecar ${OLARES_SIDECAR_CONTAINER} instead (left alone): ${listNames(olares)}`;
  if (without.length === 0) {
    return {
      type, status: 'False', reason: InjectedReason.OlaresSidecarPresent,
      message: `${injectedCount}/${pods.length} pods carry the gateway; ${olares.length} ${olaresText}`,
    };
  }
  return {
    type,
    status: 'False',
    reason: InjectedReason.PodsNotInjected,
    message: `${injectedCount}/${pods.length} pods carry the gateway; without it: ${listNames(without)}${olares.length === 0 ? '' : `; ${olares.length} more ${olaresText}`}`,
  };
}

function listNames(names: string[]): string {
  const shown = names.slice(0, NAMES_SHOWN).join(', ');
  return names.length > NAMES_SHOWN ? `${shown} and ${names.length - NAMES_SHOWN} more` : shown;
}

/**
 * Distinct users (SPEC B2): with a shared Redis backplane every replica reports the union across replicas, so the
 * largest of those views counts; the union is recounted once per heartbeat (5 s), so it may lag behind a pod's own
 * users, which are a lower bound of it. Without a backplane, users are per pod: the sum.
 */
function countUsers(observations: PodObservation[], ready: PodGatewayStatus[]): number {
  const shared = observations.flatMap((pod) => (pod.injected && pod.sample?.kind === 'stats' && pod.sample.sharedUsers !== undefined ? [pod.sample.sharedUsers] : []));
  if (shared.length > 0) return Math.max(...shared, ...ready.map((pod) => pod.users ?? 0));
  return sum(ready.map((pod) => pod.users ?? 0));
}

function sum(values: number[]): number {
  return values.reduce((total, value) => total + value, 0);
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 3)}...` : text;
}

/** metav1.Time: RFC 3339 with second precision. */
export function toRfc3339(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
