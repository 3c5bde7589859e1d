// The configHash an app's gateways should report now, for the status' outdated count. Pure.
import { buildGatewayContainer } from './gateway-container.ts';
import type { GatewayApp } from './gateway-env.ts';
import { parseGatewayEnv } from './gateway-config-hash.ts';
import type { GatewaySettings } from './gateway-settings.ts';

/**
 * Undefined when the gateway would refuse this env (then nothing is injected either). `podAnnotations` are the pod
 * template's: tapr.io/gateway-memory changes the memory limit, hence the derived WS_MAX_CONNECTIONS, hence the hash.
 */
export function computeAppConfigHash(settings: GatewaySettings, app: GatewayApp, podAnnotations: Record<string, string> = {}): string | undefined {
  const parsed = parseGatewayEnv(buildGatewayContainer(settings, app, podAnnotations).literalEnv);
  return parsed.ok ? parsed.configHash : undefined;
}
