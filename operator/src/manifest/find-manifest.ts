// Looks up and parses an app's manifest from a cached ConfigMap, memoised per cached object (the cache replaces the
// object on every change). Pure apart from the memo.
import { configMapSchema, type KubeObject } from '../kube/objects.ts';
import { MANIFEST_KEY } from '../naming.ts';
import type { ManifestLookup } from './manifest-lookup.ts';
import { parseManifest, type ManifestResult } from './parse-manifest.ts';

const parsedByObject = new WeakMap<KubeObject, ManifestResult>();

export function findManifest(
  getConfigMap: (namespace: string, name: string) => KubeObject | undefined,
  namespace: string,
  configMapName: string,
): ManifestLookup {
  const missing: ManifestLookup = { kind: 'missing', configMapName, key: MANIFEST_KEY };
  const object = getConfigMap(namespace, configMapName);
  if (object === undefined) return missing;
  const memo = parsedByObject.get(object);
  if (memo !== undefined) return memo;
  const parsed = configMapSchema.safeParse(object);
  const text = parsed.success ? parsed.data.data?.[MANIFEST_KEY] : undefined;
  if (text === undefined) return missing;
  const result = parseManifest(text);
  parsedByObject.set(object, result);
  return result;
}
