// Every API name, label, annotation, container, port and key the operator reads or writes, in one place. Pure.

/** The custom resource (SPEC B2). */
export const API_GROUP = 'tapr.io';
export const API_VERSION = 'v1alpha1';
export const GATEWAY_API_VERSION = `${API_GROUP}/${API_VERSION}`;
export const GATEWAY_KIND = 'WebSocketGateway';
export const GATEWAY_PLURAL = 'websocketgateways';
export const GATEWAY_SINGULAR = 'websocketgateway';
export const GATEWAY_SHORT_NAME = 'wsgw';
export const GATEWAY_CRD_NAME = `${GATEWAY_PLURAL}.${API_GROUP}`;

/** Pod template label that opts a Deployment in; its value is the manifest ConfigMap's name (SPEC B1). */
export const MANIFEST_LABEL = 'tapr.io/manifest';
/** ConfigMap data key that holds the Olares manifest. */
export const MANIFEST_KEY = 'OlaresManifest.yaml';

/** Pod annotation written at injection; its value is the gateway's configHash (SPEC B3). */
export const INJECTED_ANNOTATION = 'tapr.io/injected';
/** Per-pod overrides of the gateway container's resources (SPEC B3). */
export const GATEWAY_CPU_ANNOTATION = 'tapr.io/gateway-cpu';
export const GATEWAY_MEMORY_ANNOTATION = 'tapr.io/gateway-memory';

/** The injected container and the Olares sidecar whose presence also means "already has a gateway". */
export const GATEWAY_CONTAINER = 'ws-gateway';
export const OLARES_SIDECAR_CONTAINER = 'olares-ws-sidecar';

/** The gateway's port for clients, the control API, health, stats and metrics. */
export const GATEWAY_PORT = 40010;
export const GATEWAY_PORT_NAME = 'ws-gateway';
export const GATEWAY_READINESS_PATH = '/readyz';
export const GATEWAY_LIVENESS_PATH = '/healthz';
export const GATEWAY_STATS_PATH = '/stats';

/** The Service the operator keeps per gateway: `<deployment>-ws`, port 40010 named `ws` (SPEC B2). */
export const SERVICE_SUFFIX = '-ws';
export const SERVICE_PORT_NAME = 'ws';

/** Label the ReplicaSet controller puts on every pod; used to recover the Deployment's name. */
export const POD_TEMPLATE_HASH_LABEL = 'pod-template-hash';

/** Redis: the admin's base prefix; each app gets `<base>:<namespace>:<deployment>`. */
export const DEFAULT_REDIS_PREFIX = 'tapr:ws';

/** Field manager for server-side apply and patches. */
export const FIELD_MANAGER = 'tapr-ws-operator';

export function serviceName(deploymentName: string): string {
  return `${deploymentName}${SERVICE_SUFFIX}`;
}

/** The optional per-app NetworkPolicy has the Service's name: both are about the gateway port. */
export function networkPolicyName(deploymentName: string): string {
  return `${deploymentName}${SERVICE_SUFFIX}`;
}

export function appRedisPrefix(base: string, namespace: string, deploymentName: string): string {
  return `${base}:${namespace}:${deploymentName}`;
}
