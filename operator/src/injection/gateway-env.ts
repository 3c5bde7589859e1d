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

/**
 * `derived`: the operator's defaults computed for this container (WS_MAX_CONNECTIONS from its memory limit); an admin
 * default of the same name (settings.env) wins over them, `0` included.
 */
export function buildGatewayEnv(settings: GatewaySettings, app: GatewayApp, derived: Record<string, string> = {}): GatewayEnv {
  const literal: Record<string, string> = {
    WS_PORT: String(app.port),
    WS_URL: app.url,
    WS_GATEWAY_PORT: String(GATEWAY_PORT),
  };
  const env: EnvVar[] = Object.entries(literal).map(([name, value]) => ({ name, value }));
  const defaults = { ...derived, ...settings.env };
  for (const name of Object.keys(defaults).sort()) {
    literal[name] = defaults[name]!;
    env.push({ name, value: defaults[name]! });
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
