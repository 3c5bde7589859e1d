// The default WS_MAX_CONNECTIONS of an injected gateway, derived from its container's memory limit (F7), so excess
// upgrades get 503 instead of the sidecar being OOM-killed with every connection of the pod. Pure.
import { parseQuantity } from '../kube/quantity.ts';

const MiB = 2 ** 20;

/**
 * The figures behind the formula. Measured (reliability probe 2026-12, 16,000 idle connections): 11.5-11.7 KiB per
 * connection after a full GC, an idle process of 81 MiB (compiled) to 105 MiB (TS sources). 16 KiB per connection and a
 * 100 MiB idle process are the worst case with garbage not yet collected; 10% of the limit is kept as a margin.
 */
export const CONNECTION_COST = {
  perConnectionBytes: 16 * 1024,
  idleProcessBytes: 100 * MiB,
  marginFraction: 0.1,
  /** Never below this, so a tiny limit still lets an app accept a few connections (it will be tight). */
  minimum: 100,
  /** Rounded down to a multiple of this, so the figure reads as a setting, not as a computation. */
  step: 100,
} as const;

/**
 * floor((limit - 100 MiB - 10% of limit) / 16 KiB), rounded down to hundreds, at least 100.
 * 256Mi → 8,300; 512Mi → 23,000; 1Gi → 52,500. Undefined without a limit (nothing to protect, no default cap).
 */
export function deriveMaxConnections(memoryLimitBytes: number | undefined): number | undefined {
  if (memoryLimitBytes === undefined || !Number.isFinite(memoryLimitBytes)) return undefined;
  const usable = memoryLimitBytes * (1 - CONNECTION_COST.marginFraction) - CONNECTION_COST.idleProcessBytes;
  const connections = Math.floor(usable / CONNECTION_COST.perConnectionBytes / CONNECTION_COST.step) * CONNECTION_COST.step;
  return Math.max(CONNECTION_COST.minimum, connections);
}

/** The operator's derived defaults for the gateway env, from the container's final resources (annotations applied). */
export function buildDerivedGatewayEnv(resources: { limits?: Record<string, string> }): Record<string, string> {
  const limit = resources.limits?.memory;
  const max = deriveMaxConnections(limit === undefined ? undefined : parseQuantity(limit));
  return max === undefined ? {} : { WS_MAX_CONNECTIONS: String(max) };
}
