// The env of the injected gateway container, and the same env as literal values for computing its configHash. Pure.
import { appRedisPrefix, GATEWAY_PORT } from '../naming.ts';
import type { GatewaySettings } from './gateway-settings.ts';

export type EnvVar =
  | { name: string; value: string }
  | { name: string; valueFrom: { fieldRef: { apiVersion: 'v1'; fieldPath: string } } }
  | { name: string; valueFrom: { secretKeyRef: { name: string; key: string } } };

/** Which app the gateway serves: the manifest's block plus where the pod lives. */
export interface GatewayApp {
  namespace: string;
  deploymentName: string;
  url: string;
  port: number;
}

export interface GatewayEnv {
  env: EnvVar[];
  /** Every variable the gateway will see, with Secret references resolved; the pod's identity is left out. */
  literal: Record<string, string>;
}

export function buildGatewayEnv(settings: GatewaySettings, app: GatewayApp): GatewayEnv {
  const literal: Record<string, string> = {
    WS_PORT: String(app.port),
    WS_URL: app.url,
    WS_GATEWAY_PORT: String(GATEWAY_PORT),
  };
  const env: EnvVar[] = Object.entries(literal).map(([name, value]) => ({ name, value }));
  for (const name of Object.keys(settings.env).sort()) {
    literal[name] = settings.env[name]!;
    env.push({ name, value: settings.env[name]! });
  }
  if (settings.redis !== undefined) {
    const { url, secretRef, prefix } = settings.redis;
    env.push(secretRef === undefined
      ? { name: 'WS_REDIS_URL', value: url }
      : { name: 'WS_REDIS_URL', valueFrom: { secretKeyRef: { name: secretRef.name, key: secretRef.key } } });
    literal.WS_REDIS_URL = url;
    literal.WS_REDIS_PREFIX = appRedisPrefix(prefix, app.namespace, app.deploymentName);
    env.push({ name: 'WS_REDIS_PREFIX', value: literal.WS_REDIS_PREFIX });
  }
  env.push(
    { name: 'POD_NAME', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.name' } } },
    { name: 'POD_NAMESPACE', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } } },
  );
  return { env, literal };
}
