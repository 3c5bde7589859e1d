// Parses a multi-document YAML stream (helm template output) into Kubernetes objects. Pure.
import { loadAll } from 'js-yaml';

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [field: string]: unknown;
}

/** Every non-empty document; throws naming the document when one is not an object with apiVersion, kind and a name. */
export function parseManifests(text: string): KubeObject[] {
  const objects: KubeObject[] = [];
  loadAll(text, (document) => {
    if (document === null || document === undefined) return;
    if (!isKubeObject(document)) throw new Error(`not a Kubernetes object (apiVersion, kind, metadata.name): ${JSON.stringify(document).slice(0, 200)}`);
    objects.push(document);
  });
  return objects;
}

function isKubeObject(value: unknown): value is KubeObject {
  if (typeof value !== 'object' || value === null) return false;
  const object = value as Record<string, unknown>;
  const metadata = object.metadata as Record<string, unknown> | undefined;
  return typeof object.apiVersion === 'string' && typeof object.kind === 'string'
    && typeof metadata === 'object' && metadata !== null && typeof metadata.name === 'string';
}
