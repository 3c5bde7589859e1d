// What the controller wants to exist for an opted-in Deployment: the WebSocketGateway and its `-ws` Service. Pure.
import type { ManifestLookup } from '../manifest/manifest-lookup.ts';
import type { Deployment, KubeObject } from '../kube/objects.ts';
import { isJsonEqual } from '../kube/json.ts';
import {
  FIELD_MANAGER, GATEWAY_API_VERSION, GATEWAY_KIND, GATEWAY_PORT, MANIFEST_KEY, SERVICE_PORT_NAME, serviceName,
} from '../naming.ts';

export interface GatewaySpec {
  deploymentName: string;
  manifest: { configMapName: string; key: string };
  websocket?: { url: string; port: number };
}

export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';

export function buildGatewaySpec(deploymentName: string, configMapName: string, manifest: ManifestLookup): GatewaySpec {
  const spec: GatewaySpec = { deploymentName, manifest: { configMapName, key: MANIFEST_KEY } };
  if (manifest.kind === 'websocket') spec.websocket = { url: manifest.url, port: manifest.port };
  return spec;
}

function controllerReference(owner: { apiVersion: string; kind: string; name: string; uid: string }): Record<string, unknown> {
  return { ...owner, controller: true, blockOwnerDeletion: true };
}

export function buildGateway(deployment: Deployment, spec: GatewaySpec): Record<string, unknown> {
  return {
    apiVersion: GATEWAY_API_VERSION,
    kind: GATEWAY_KIND,
    metadata: {
      name: deployment.metadata.name,
      namespace: deployment.metadata.namespace,
      labels: { [MANAGED_BY_LABEL]: FIELD_MANAGER },
      ownerReferences: [controllerReference({ apiVersion: 'apps/v1', kind: 'Deployment', name: deployment.metadata.name, uid: deployment.metadata.uid ?? '' })],
    },
    spec,
  };
}

export interface ServiceSpecSlice {
  selector: Record<string, string>;
  ports: { name: string; port: number; targetPort: number; protocol: 'TCP' }[];
}

export function buildServiceSpec(deployment: Deployment): ServiceSpecSlice {
  return {
    selector: { ...deployment.spec.selector.matchLabels },
    ports: [{ name: SERVICE_PORT_NAME, port: GATEWAY_PORT, targetPort: GATEWAY_PORT, protocol: 'TCP' }],
  };
}

export function buildService(gateway: { name: string; namespace: string; uid: string }, spec: ServiceSpecSlice): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name: serviceName(gateway.name),
      namespace: gateway.namespace,
      labels: { [MANAGED_BY_LABEL]: FIELD_MANAGER },
      ownerReferences: [controllerReference({ apiVersion: GATEWAY_API_VERSION, kind: GATEWAY_KIND, name: gateway.name, uid: gateway.uid })],
    },
    spec: { type: 'ClusterIP', ...spec },
  };
}

/**
 * The merge patch that brings an existing Service to the desired selector and ports, or undefined when it already
 * matches (fields the API defaulted, such as clusterIP, are not compared).
 */
export function buildServicePatch(existing: KubeObject, desired: ServiceSpecSlice): Record<string, unknown> | undefined {
  const spec = (existing as { spec?: { selector?: Record<string, string>; ports?: Record<string, unknown>[] } }).spec ?? {};
  const currentPorts = (spec.ports ?? []).map((port) => ({ name: port.name, port: port.port, targetPort: port.targetPort, protocol: port.protocol ?? 'TCP' }));
  const selectorSame = isJsonEqual(spec.selector ?? {}, desired.selector);
  const portsSame = isJsonEqual(currentPorts, desired.ports);
  if (selectorSame && portsSame) return undefined;
  const selector: Record<string, string | null> = { ...desired.selector };
  for (const key of Object.keys(spec.selector ?? {})) if (!(key in desired.selector)) selector[key] = null;
  return { spec: { selector, ports: desired.ports } };
}

/** The controller owner of an object, if any. */
export function controllerOf(object: KubeObject): { kind: string; name: string; uid: string } | undefined {
  return object.metadata.ownerReferences?.find((reference) => reference.controller === true);
}
