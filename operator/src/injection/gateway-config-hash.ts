// The gateway's own config parser and hash, applied to the env the operator injects (SPEC A5 configHash). Pure.
// Imported by relative path: the sidecar package's entry point runs the gateway.
import { computeConfigHash, parseConfig } from '../../../sidecar/src/config.ts';

export type GatewayEnvResult = { ok: true; configHash: string } | { ok: false; error: string };

/** Parses literal env values exactly as the gateway will at start-up; unknown WS_* names are errors here. */
export function parseGatewayEnv(env: Record<string, string>): GatewayEnvResult {
  const parsed = parseConfig(env);
  if (!parsed.ok) return { ok: false, error: parsed.error };
  const [unknown] = parsed.warnings;
  if (unknown !== undefined) return { ok: false, error: unknown };
  return { ok: true, configHash: computeConfigHash(parsed.config) };
}
