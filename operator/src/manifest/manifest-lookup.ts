// What the operator found for an app's manifest: the parsed block, or the ConfigMap/key was missing. Pure.
import type { ManifestResult } from './parse-manifest.ts';

export type ManifestLookup =
  | ManifestResult
  | { kind: 'missing'; configMapName: string; key: string };

/** One sentence for a missing manifest, for warnings, Events and conditions. */
export function describeMissingManifest(lookup: { configMapName: string; key: string }, namespace: string): string {
  return `ConfigMap ${lookup.configMapName} with key ${lookup.key} was not found in namespace ${namespace}`;
}
