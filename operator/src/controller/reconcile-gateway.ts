// Level-triggered reconcile of one Deployment key (I/O), in the steps operator/README.md names; pure helpers beside it.
import type { ApiClient } from '../kube/api-client.ts';
import { isApiError } from '../kube/api-client.ts';
import { isJsonEqual } from '../kube/json.ts';
import { deploymentSchema, objectKey, splitKey, type Deployment, type KubeObject } from '../kube/objects.ts';
import { allContainers, podSchema, type Pod } from '../kube/pod.ts';
import { findManifest } from '../manifest/find-manifest.ts';
import type { ManifestLookup } from '../manifest/manifest-lookup.ts';
import { computeAppConfigHash } from '../injection/app-config-hash.ts';
import type { GatewaySettings } from '../injection/gateway-settings.ts';
import {
  API_GROUP, API_VERSION, GATEWAY_CONTAINER, GATEWAY_KIND, GATEWAY_PLURAL, INJECTED_ANNOTATION, MANIFEST_LABEL, networkPolicyName, OLARES_SIDECAR_CONTAINER,
  serviceName,
} from '../naming.ts';
import { computeStatus, type PodObservation } from '../status/compute-status.ts';
import { ConditionType } from '../status/condition-reasons.ts';
import type { StatsSample } from '../status/stats-sample.ts';
import { isStatusEqual } from '../status/status-equal.ts';
import type { GatewayStatus } from '../status/types.ts';
import { matchesSelector } from '../kube/objects.ts';
import {
  buildGateway, buildGatewaySpec, buildService, buildServicePatch, buildServiceSpec, controllerOf, type GatewaySpec,
} from './desired-objects.ts';
import type { EventRecorder } from './event-recorder.ts';
import { decideManifestEvent, gateManifestEvent, MANIFEST_MISSING_GRACE_MS, type EventToRecord, type ManifestEventState } from './manifest-event.ts';
import { buildNetworkPolicy, buildNetworkPolicyPatch, buildNetworkPolicySpec, type NetworkPolicyPeer } from './network-policy.ts';
import type { OutdatedRestarter } from './outdated-restarter.ts';
import type { RedisSecretCopier } from './redis-secret-copier.ts';
import { resultFromError } from './reconcile-result.ts';
import type { ReconcileResult } from './work-queue.ts';

/** What the reconciler reads: synchronous caches. */
export interface Caches {
  deployments: CacheReader;
  pods: CacheReader;
  configMaps: CacheReader;
  gateways: CacheReader;
  services: CacheReader;
  /** Only with the per-app NetworkPolicy on. */
  networkPolicies?: CacheReader;
}

export interface CacheReader {
  get(namespace: string, name: string): KubeObject | undefined;
  list(namespace?: string): KubeObject[];
}

export interface GatewayReconcilerOptions {
  caches: Caches;
  api: ApiClient;
  settings: GatewaySettings;
  recordEvent: EventRecorder;
  now?: () => Date;
  /** The latest /stats sample of a pod (the sampler's, later); none yet means "not sampled". */
  sampleOf?: (namespace: string, podName: string) => StatsSample | undefined;
  /** Copies the Redis URL Secret into the app's namespace (--redis-secret-in-pods on); absent: nothing to copy. */
  redisSecretCopier?: RedisSecretCopier;
  /** Restarts pods whose gateway config is outdated (--restart-outdated on); absent: they are only counted. */
  restartOutdated?: OutdatedRestarter;
  /** How long a manifest ConfigMap must be missing before the ManifestMissing Warning (default 5 s). */
  manifestMissingGraceMs?: number;
  /** Keep a NetworkPolicy `<deployment>-ws` admitting port 40010 only from these peers (needs caches.networkPolicies). */
  networkPolicy?: { from: readonly NetworkPolicyPeer[] };
}

const GATEWAYS_PATH = `/apis/${API_GROUP}/${API_VERSION}/namespaces`;

function gatewayPath(namespace: string, name?: string): string {
  return `${GATEWAYS_PATH}/${namespace}/${GATEWAY_PLURAL}${name === undefined ? '' : `/${name}`}`;
}

export function createGatewayReconciler(options: GatewayReconcilerOptions): (key: string) => Promise<ReconcileResult> {
  const now = options.now ?? (() => new Date());
  const { api, caches } = options;
  const io: ReconcileIo = { api, caches };
  /** Per Deployment key: the manifest Event gate (a pending ManifestMissing Warning, the last Event posted). */
  const eventStates = new Map<string, ManifestEventState>();
  const missingGraceMs = options.manifestMissingGraceMs ?? MANIFEST_MISSING_GRACE_MS;

  return async (key) => {
    const { namespace, name } = splitKey(key);
    try {
      const deployment = liveDeployment(caches.deployments.get(namespace, name));
      // Gone (or being deleted): owner references let the garbage collector remove the CR and its Service.
      if (deployment === undefined) {
        eventStates.delete(key);
        return { kind: 'ok' };
      }
      const existing = caches.gateways.get(namespace, name);
      const configMapName = manifestConfigMapName(deployment);
      if (configMapName === undefined) {
        if (existing !== undefined && isOwnedBy(existing, deployment)) await removeGateway(deployment, existing);
        return { kind: 'ok' };
      }
      const manifest = findManifest((ns, cm) => caches.configMaps.get(ns, cm), namespace, configMapName);
      const gateway = await ensureGateway(io, deployment, existing, buildGatewaySpec(name, configMapName, manifest));
      if (gateway === undefined) return { kind: 'terminal', error: new Error(`${GATEWAY_KIND} ${key} exists and is controlled by another owner`) };
      await ensureOwnedObjects(deployment, gateway);
      const pods = podsOf(caches.pods, deployment);
      const currentConfigHash = currentConfigHashOf(options.settings, deployment, manifest);
      const recheckAfterMs = await writeStatus(deployment, gateway, manifest, observePods(namespace, pods, options.sampleOf), currentConfigHash);
      const result: ReconcileResult = options.restartOutdated === undefined
        ? { kind: 'ok' }
        : await options.restartOutdated({ deployment, pods, expectedHash: currentConfigHash });
      return withRecheck(result, recheckAfterMs);
    } catch (error) {
      return resultFromError(error);
    }
  };

  /**
   * The pod template dropped its manifest label: our decision, not an owner's deletion, so its objects go too rather
   * than wait for the garbage collector, which learns about a newly installed CRD's objects only at its next
   * discovery (up to 30 s on a real cluster).
   */
  async function removeGateway(deployment: Deployment, gateway: KubeObject): Promise<void> {
    const namespace = deployment.metadata.namespace ?? '';
    const name = deployment.metadata.name;
    await deleteOwned(io, caches.services, `/api/v1/namespaces/${namespace}/services`, namespace, serviceName(name), gateway);
    await deleteOwned(io, caches.networkPolicies, `/apis/networking.k8s.io/v1/namespaces/${namespace}/networkpolicies`, namespace, networkPolicyName(name), gateway);
    await deleteGateway(io, gateway);
  }

  /** What the CR owns or shares: the `-ws` Service, the NetworkPolicy when on, the Redis Secret copy when configured. */
  async function ensureOwnedObjects(deployment: Deployment, gateway: KubeObject): Promise<void> {
    const namespace = deployment.metadata.namespace ?? '';
    await ensureService(io, deployment, gateway);
    if (options.networkPolicy !== undefined) await ensureNetworkPolicy(io, deployment, gateway, options.networkPolicy.from);
    await options.redisSecretCopier?.ensure(namespace, [gateway, ...caches.gateways.list(namespace)]);
  }

  /** Writes the status when it changed and records the manifest Event due; returns when to look again, if needed. */
  async function writeStatus(
    deployment: Deployment, gateway: KubeObject, manifest: ManifestLookup, pods: PodObservation[], currentConfigHash: string | undefined,
  ): Promise<number | undefined> {
    const namespace = deployment.metadata.namespace ?? '';
    const previous = readStatus(gateway);
    const status = computeStatus({
      namespace,
      generation: gateway.metadata.generation ?? 1,
      manifest,
      currentConfigHash,
      pods,
      previous,
      now: now(),
    });
    const changed = !isStatusEqual(previous, status);
    if (changed) {
      await api.request({
        method: 'PATCH',
        path: `${gatewayPath(namespace, gateway.metadata.name)}/status`,
        patchType: 'merge',
        body: { status },
      });
    }
    return await recordManifestEvent(deployment, changed ? decideManifestEvent(previous?.conditions, status.conditions) : undefined, status);
  }

  /** Posts the manifest Event the gate lets through (a ManifestMissing Warning only after the grace); returns when to look again. */
  async function recordManifestEvent(deployment: Deployment, event: EventToRecord | undefined, status: GatewayStatus): Promise<number | undefined> {
    const namespace = deployment.metadata.namespace ?? '';
    const key = objectKey(namespace, deployment.metadata.name);
    const gated = gateManifestEvent({
      state: eventStates.get(key) ?? {},
      event,
      current: status.conditions.find((condition) => condition.type === ConditionType.ManifestValid),
      nowMs: now().getTime(),
      graceMs: missingGraceMs,
    });
    if (Object.keys(gated.state).length === 0) eventStates.delete(key);
    else eventStates.set(key, gated.state);
    if (gated.post !== undefined) {
      await options.recordEvent({ apiVersion: 'apps/v1', kind: 'Deployment', name: deployment.metadata.name, namespace, uid: deployment.metadata.uid ?? '' }, gated.post);
    }
    return gated.recheckAfterMs;
  }
}

/** What the create/patch/delete steps need: the API and the caches. */
interface ReconcileIo {
  api: ApiClient;
  caches: Caches;
}

async function deleteGateway(io: ReconcileIo, gateway: KubeObject): Promise<void> {
  const { namespace = '', name, uid } = gateway.metadata;
  try {
    await io.api.request({
      method: 'DELETE',
      path: gatewayPath(namespace, name),
      body: { apiVersion: 'v1', kind: 'DeleteOptions', propagationPolicy: 'Background', preconditions: { uid } },
    });
  } catch (error) {
    if (!isApiError(error, 404)) throw error;
  }
}

/** Deletes an object the gateway CR controls (read from its cache), by uid; anything else of that name stays. */
async function deleteOwned(io: ReconcileIo, cache: CacheReader | undefined, path: string, namespace: string, name: string, gateway: KubeObject): Promise<void> {
  const object = cache?.get(namespace, name);
  if (object === undefined || !isControlledByGateway(object, gateway)) return;
  try {
    await io.api.request({
      method: 'DELETE', path: `${path}/${name}`,
      body: { apiVersion: 'v1', kind: 'DeleteOptions', preconditions: { uid: object.metadata.uid } },
    });
  } catch (error) {
    if (!isApiError(error, 404)) throw error;
  }
}

/** Creates or updates the CR; undefined when a CR of that name belongs to someone else. */
async function ensureGateway(io: ReconcileIo, deployment: Deployment, existing: KubeObject | undefined, spec: GatewaySpec): Promise<KubeObject | undefined> {
  const namespace = deployment.metadata.namespace ?? '';
  if (existing === undefined) {
    return await io.api.request<KubeObject>({ method: 'POST', path: gatewayPath(namespace), body: buildGateway(deployment, spec) });
  }
  if (!isOwnedBy(existing, deployment)) {
    const owner = controllerOf(existing);
    // Left over from a deleted Deployment of the same name: remove it; the next reconcile creates ours.
    if (owner?.kind === 'Deployment' && owner.name === deployment.metadata.name) {
      await deleteGateway(io, existing);
      throw new Error(`replaced a ${GATEWAY_KIND} left by an earlier Deployment ${namespace}/${owner.name}`);
    }
    return undefined;
  }
  const current = (existing as { spec?: unknown }).spec;
  if (isJsonEqual(current, spec)) return existing;
  return await io.api.request<KubeObject>({
    method: 'PATCH',
    path: gatewayPath(namespace, existing.metadata.name),
    patchType: 'json',
    body: [
      { op: 'test', path: '/metadata/uid', value: existing.metadata.uid },
      { op: 'replace', path: '/spec', value: spec },
    ],
  });
}

/** The `-ws` Service: created when missing, patched back when it differs; one the app made itself is left alone. */
async function ensureService(io: ReconcileIo, deployment: Deployment, gateway: KubeObject): Promise<void> {
  const namespace = deployment.metadata.namespace ?? '';
  const desired = buildServiceSpec(deployment);
  const name = serviceName(deployment.metadata.name);
  await ensureControlled(io, gateway, {
    path: `/api/v1/namespaces/${namespace}/services`, name, existing: io.caches.services.get(namespace, name),
    create: () => buildService({ name: gateway.metadata.name, namespace, uid: gateway.metadata.uid ?? '' }, desired),
    patch: (existing) => {
      const body = buildServicePatch(existing, desired);
      return body === undefined ? undefined : { patchType: 'merge', body };
    },
  });
}

/** The per-app NetworkPolicy, kept like the Service (the operator's cache holds only policies it made). */
async function ensureNetworkPolicy(io: ReconcileIo, deployment: Deployment, gateway: KubeObject, from: readonly NetworkPolicyPeer[]): Promise<void> {
  const namespace = deployment.metadata.namespace ?? '';
  const desired = buildNetworkPolicySpec(deployment, from);
  const name = networkPolicyName(deployment.metadata.name);
  await ensureControlled(io, gateway, {
    path: `/apis/networking.k8s.io/v1/namespaces/${namespace}/networkpolicies`, name, existing: io.caches.networkPolicies?.get(namespace, name),
    create: () => buildNetworkPolicy({ name: gateway.metadata.name, namespace, uid: gateway.metadata.uid ?? '' }, desired),
    patch: (existing) => {
      const body = buildNetworkPolicyPatch(existing, desired);
      return body === undefined ? undefined : { patchType: 'json', body };
    },
  });
}

/** An object the CR controls: created when missing; patched when it is ours and differs; someone else's is left alone. */
async function ensureControlled(io: ReconcileIo, gateway: KubeObject, object: {
  path: string; name: string; existing: KubeObject | undefined; create: () => unknown;
  patch: (existing: KubeObject) => { patchType: 'merge' | 'json'; body: unknown } | undefined;
}): Promise<void> {
  if (object.existing === undefined) {
    await createUnlessExists(io, object.path, object.create());
    return;
  }
  if (!isControlledByGateway(object.existing, gateway)) return;
  const patch = object.patch(object.existing);
  if (patch !== undefined) await io.api.request({ method: 'PATCH', path: `${object.path}/${object.name}`, ...patch });
}

/**
 * A 409 means the object is there already: created meanwhile (our cache lags our own writes; its event brings the
 * key back if it differs), or one of that name the operator did not make, which is left alone.
 */
async function createUnlessExists(io: ReconcileIo, path: string, body: unknown): Promise<void> {
  try {
    await io.api.request({ method: 'POST', path, body });
  } catch (error) {
    if (!isApiError(error, 409)) throw error;
  }
}

function isControlledByGateway(object: KubeObject, gateway: KubeObject): boolean {
  const owner = controllerOf(object);
  return owner?.kind === GATEWAY_KIND && owner.uid === gateway.metadata.uid;
}

/** The cached Deployment, unless it is gone or being deleted. */
function liveDeployment(object: KubeObject | undefined): Deployment | undefined {
  const parsed = deploymentSchema.safeParse(object);
  return parsed.success && parsed.data.metadata.deletionTimestamp === undefined ? parsed.data : undefined;
}

/** The ConfigMap the pod template's `tapr.io/manifest` label names; undefined when the app does not opt in. */
function manifestConfigMapName(deployment: Deployment): string | undefined {
  const name = deployment.spec.template.metadata?.labels?.[MANIFEST_LABEL];
  return name === undefined || name === '' ? undefined : name;
}

function isOwnedBy(object: KubeObject, deployment: Deployment): boolean {
  const owner = controllerOf(object);
  return owner?.kind === 'Deployment' && owner.uid === deployment.metadata.uid;
}

/** The configHash injection would write now; undefined while the manifest has no valid websocket block. */
function currentConfigHashOf(settings: GatewaySettings, deployment: Deployment, manifest: ManifestLookup): string | undefined {
  if (manifest.kind !== 'websocket') return undefined;
  const namespace = deployment.metadata.namespace ?? '';
  return computeAppConfigHash(
    settings, { namespace, deploymentName: deployment.metadata.name, url: manifest.url, port: manifest.port }, deployment.spec.template.metadata?.annotations ?? {},
  );
}

/** The Deployment's cached pods that are not being deleted. */
function podsOf(cache: CacheReader, deployment: Deployment): Pod[] {
  const pods: Pod[] = [];
  for (const object of cache.list(deployment.metadata.namespace ?? '')) {
    if (object.metadata.deletionTimestamp !== undefined) continue;
    if (!matchesSelector(deployment.spec.selector, object.metadata.labels)) continue;
    const pod = podSchema.safeParse(object);
    if (pod.success) pods.push(pod.data);
  }
  return pods;
}

/** What the status needs of each pod: gateway or Olares sidecar, injected hash, latest sample. */
function observePods(namespace: string, pods: Pod[], sampleOf: GatewayReconcilerOptions['sampleOf']): PodObservation[] {
  return pods.map((pod) => {
    const name = pod.metadata?.name ?? '';
    const containers = allContainers(pod);
    const injected = containers.some((container) => container.name === GATEWAY_CONTAINER);
    const observation: PodObservation = { name, injected };
    if (!injected && containers.some((container) => container.name === OLARES_SIDECAR_CONTAINER)) observation.olaresSidecar = true;
    const hash = pod.metadata?.annotations?.[INJECTED_ANNOTATION];
    if (hash !== undefined) observation.injectedHash = hash;
    const sample = sampleOf?.(namespace, name);
    if (sample !== undefined) observation.sample = sample;
    return observation;
  });
}

/** A pending manifest Event asks to look again unless the restarter's result already says what comes next. */
function withRecheck(result: ReconcileResult, recheckAfterMs: number | undefined): ReconcileResult {
  return recheckAfterMs !== undefined && result.kind === 'ok' ? { kind: 'requeueAfter', ms: recheckAfterMs } : result;
}

function readStatus(gateway: KubeObject): GatewayStatus | undefined {
  const status = (gateway as { status?: unknown }).status;
  if (typeof status !== 'object' || status === null || !Array.isArray((status as { conditions?: unknown }).conditions)) return undefined;
  return status as GatewayStatus;
}
