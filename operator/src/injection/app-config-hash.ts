// The configHash an app's gateways should report now, for the status' outdated count. Pure.
import { buildGatewayEnv, type GatewayApp } from './gateway-env.ts';
import { parseGatewayEnv } from './gateway-config-hash.ts';
import type { GatewaySettings } from './gateway-settings.ts';

/** Undefined when the gateway would refuse this env (then nothing is injected either). */
export function computeAppConfigHash(settings: GatewaySettings, app: GatewayApp): string | undefined {
  const parsed = parseGatewayEnv(buildGatewayEnv(settings, app).literal);
  return parsed.ok ? parsed.configHash : undefined;
}
