// Decides whether a new pod gets the gateway and, if so, builds the mutated pod and its JSON patch (SPEC B3). Pure.
import { allContainers, type Pod } from '../kube/pod.ts';
import { describeMissingManifest, type ManifestLookup } from '../manifest/manifest-lookup.ts';
import { describeManifestError } from '../manifest/parse-manifest.ts';
import { GATEWAY_CONTAINER, GATEWAY_PORT, MANIFEST_KEY, OLARES_SIDECAR_CONTAINER } from '../naming.ts';
import { buildGatewayContainer } from './gateway-container.ts';
import { parseGatewayEnv } from './gateway-config-hash.ts';
import type { GatewaySettings } from './gateway-settings.ts';
import { buildInjectedPod } from './injected-pod.ts';
import { buildPodPatch, type JsonPatchOperation } from './pod-patch.ts';
import { findAppName } from './pod-owner.ts';

export interface InjectionRequest {
  pod: Pod;
  /** The AdmissionRequest's namespace (a new pod's metadata.namespace may be empty). */
  namespace: string;
  /** What the ConfigMap cache holds for the pod's `tapr.io/manifest` label. */
  manifest: ManifestLookup;
  settings: GatewaySettings;
  nativeSidecars: boolean;
}

export const SkipReason = {
  AlreadyInjected: 'AlreadyInjected',
  OlaresSidecarPresent: 'OlaresSidecarPresent',
  NoWebSocketBlock: 'NoWebSocketBlock',
  InvalidManifest: 'InvalidManifest',
  ManifestMissing: 'ManifestMissing',
  PortConflict: 'PortConflict',
  GatewayConfigInvalid: 'GatewayConfigInvalid',
} as const;
export type SkipReason = (typeof SkipReason)[keyof typeof SkipReason];

export type InjectionDecision =
  | { kind: 'inject'; configHash: string; patch: JsonPatchOperation[]; pod: Pod; warnings: string[] }
  | { kind: 'skip'; reason: SkipReason; warnings: string[] };

export function decideInjection(request: InjectionRequest): InjectionDecision {
  const { pod, manifest, settings } = request;
  const containers = allContainers(pod);
  if (containers.some((container) => container.name === GATEWAY_CONTAINER)) return skip(SkipReason.AlreadyInjected);
  if (containers.some((container) => container.name === OLARES_SIDECAR_CONTAINER)) return skip(SkipReason.OlaresSidecarPresent);
  if (manifest.kind === 'none') return skip(SkipReason.NoWebSocketBlock);
  if (manifest.kind === 'missing') {
    return skip(SkipReason.ManifestMissing, `no gateway injected: ${describeMissingManifest(manifest, request.namespace)}`);
  }
  if (manifest.kind === 'invalid') {
    return skip(SkipReason.InvalidManifest, `no gateway injected: invalid ${MANIFEST_KEY}: ${describeManifestError(manifest)}`);
  }
  const clash = containers.find((container) => container.ports?.some((port) => port.containerPort === GATEWAY_PORT));
  if (clash !== undefined) {
    return skip(SkipReason.PortConflict, `no gateway injected: container ${clash.name} already uses port ${GATEWAY_PORT}`);
  }
  const app = {
    namespace: request.namespace,
    deploymentName: findAppName(pod) ?? pod.metadata?.name ?? 'app',
    url: manifest.url,
    port: manifest.port,
  };
  const built = buildGatewayContainer(settings, app, pod.metadata?.annotations ?? {});
  const parsed = parseGatewayEnv(built.literalEnv);
  if (!parsed.ok) return skip(SkipReason.GatewayConfigInvalid, `no gateway injected: the gateway would refuse its env: ${parsed.error}`);
  const mutated = buildInjectedPod(pod, { container: built.container, configHash: parsed.configHash, nativeSidecars: request.nativeSidecars });
  return { kind: 'inject', configHash: parsed.configHash, patch: buildPodPatch(pod, mutated), pod: mutated, warnings: built.warnings };
}

function skip(reason: SkipReason, warning?: string): InjectionDecision {
  return { kind: 'skip', reason, warnings: warning === undefined ? [] : [warning] };
}
