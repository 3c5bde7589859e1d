// Builds the ws-gateway container: image, env, port, probes, resources, restricted security context (SPEC B3). Pure.
import {
  GATEWAY_CONTAINER, GATEWAY_LIVENESS_PATH, GATEWAY_PORT, GATEWAY_PORT_NAME, GATEWAY_READINESS_PATH,
} from '../naming.ts';
import { buildDerivedGatewayEnv } from './connection-cap.ts';
import { buildGatewayEnv, type EnvVar, type GatewayApp } from './gateway-env.ts';
import { buildGatewayResources, type ResourceRequirements } from './gateway-resources.ts';
import type { GatewaySettings } from './gateway-settings.ts';

interface HttpProbe {
  httpGet: { path: string; port: string };
  periodSeconds: number;
  timeoutSeconds: number;
  failureThreshold: number;
}

// A type alias (not an interface) so it is assignable to the pod schema's open container type.
export type GatewayContainer = {
  name: string;
  image: string;
  imagePullPolicy?: 'Always' | 'IfNotPresent' | 'Never';
  ports: { name: string; containerPort: number; protocol: 'TCP' }[];
  env: EnvVar[];
  resources: ResourceRequirements;
  readinessProbe: HttpProbe;
  livenessProbe: HttpProbe;
  securityContext: {
    runAsNonRoot: true;
    runAsUser: number;
    readOnlyRootFilesystem: true;
    allowPrivilegeEscalation: false;
    capabilities: { drop: ['ALL'] };
    seccompProfile: { type: 'RuntimeDefault' };
  };
  terminationMessagePolicy: 'FallbackToLogsOnError';
};

export interface BuiltGateway {
  container: GatewayContainer;
  /** The env as literal values, to compute the configHash the gateway will report. */
  literalEnv: Record<string, string>;
  /** Pod annotations that were ignored, as sentences for the admission response and Events. */
  warnings: string[];
}

export function buildGatewayContainer(settings: GatewaySettings, app: GatewayApp, podAnnotations: Record<string, string>): BuiltGateway {
  const { resources, warnings } = buildGatewayResources(settings.resources, podAnnotations);
  const { env, literal } = buildGatewayEnv(settings, app, buildDerivedGatewayEnv(resources));
  const container: GatewayContainer = {
    name: GATEWAY_CONTAINER,
    image: settings.image,
    ...(settings.imagePullPolicy === undefined ? {} : { imagePullPolicy: settings.imagePullPolicy }),
    ports: [{ name: GATEWAY_PORT_NAME, containerPort: GATEWAY_PORT, protocol: 'TCP' }],
    env,
    resources,
    readinessProbe: { httpGet: { path: GATEWAY_READINESS_PATH, port: GATEWAY_PORT_NAME }, periodSeconds: 5, timeoutSeconds: 1, failureThreshold: 3 },
    livenessProbe: { httpGet: { path: GATEWAY_LIVENESS_PATH, port: GATEWAY_PORT_NAME }, periodSeconds: 10, timeoutSeconds: 2, failureThreshold: 3 },
    securityContext: {
      runAsNonRoot: true,
      runAsUser: settings.runAsUser,
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    },
    terminationMessagePolicy: 'FallbackToLogsOnError',
  };
  return { container, literalEnv: literal, warnings };
}
