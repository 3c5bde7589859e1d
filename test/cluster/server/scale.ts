// The scale subresource (autoscaling/v1 Scale) over a resource's replicas paths.
import { badRequest, conflict, STALE_OBJECT } from '../api/status.ts';
import { metaOf } from '../api/object-meta.ts';
import { isJsonObject, toText, type JsonObject, type JsonValue } from '../patch/json-value.ts';
import { applyMergePatch } from '../patch/json-merge-patch.ts';
import { applyJsonPatch } from '../patch/json-patch.ts';
import type { ResourceType } from '../resources/resource-type.ts';
import { readJsonPath } from '../table/json-path.ts';
import type { ApiService, PatchType, WriteOptions } from './api-service.ts';

function selectorString(v: JsonValue | undefined): string {
  if (typeof v === 'string') return v;
  if (isJsonObject(v) && isJsonObject(v.matchLabels)) return Object.entries(v.matchLabels).map(([k, x]) => `${k}=${toText(x)}`).join(',');
  return '';
}

function buildScale(type: ResourceType, obj: JsonObject): JsonObject {
  const scale = type.subresources.scale!;
  const m = metaOf(obj);
  const selectorPath = scale.labelSelectorPath;
  const selector = type.crdName === undefined ? selectorString(readJsonPath(obj, '.spec.selector')) : selectorString(selectorPath === undefined ? undefined : readJsonPath(obj, selectorPath));
  return {
    kind: 'Scale', apiVersion: 'autoscaling/v1',
    metadata: { name: m.name ?? '', namespace: m.namespace ?? '', uid: m.uid ?? '', resourceVersion: m.resourceVersion ?? '', creationTimestamp: m.creationTimestamp ?? '' },
    spec: { replicas: (readJsonPath(obj, scale.specReplicasPath) as number | undefined) ?? 0 },
    status: { replicas: (readJsonPath(obj, scale.statusReplicasPath) as number | undefined) ?? 0, selector },
  };
}

function setPath(obj: JsonObject, path: string, value: JsonValue): void {
  const parts = path.replace(/^\./, '').split('.');
  let cur = obj;
  for (const p of parts.slice(0, -1)) {
    if (!isJsonObject(cur[p])) cur[p] = {};
    cur = cur[p];
  }
  cur[parts[parts.length - 1]!] = value;
}

export interface ScaleRequest {
  service: ApiService;
  type: ResourceType;
  namespace: string | undefined;
  name: string;
  method: string;
  body: JsonValue | undefined;
  patchType: PatchType | undefined;
  options: WriteOptions;
}

export async function handleScale(r: ScaleRequest): Promise<JsonObject> {
  const current = r.service.get(r.type, r.namespace, r.name);
  const scale = buildScale(r.type, current);
  if (r.method === 'GET') return scale;
  let wanted: JsonValue;
  if (r.method === 'PUT') wanted = r.body ?? null;
  else if (r.patchType === 'json') wanted = applyJsonPatch(scale, r.body);
  else if (r.patchType === 'merge' || r.patchType === 'strategic') wanted = applyMergePatch(scale, r.body ?? null);
  else throw badRequest('unsupported patch type for scale');
  if (!isJsonObject(wanted) || !isJsonObject(wanted.spec) || typeof wanted.spec.replicas !== 'number') throw badRequest('spec.replicas: Required value');
  const rv = isJsonObject(wanted.metadata) ? wanted.metadata.resourceVersion : undefined;
  if (typeof rv === 'string' && rv !== '' && rv !== metaOf(current).resourceVersion) throw conflict(r.type, r.name, STALE_OBJECT);
  const next = structuredClone(current);
  setPath(next, r.type.subresources.scale!.specReplicasPath, wanted.spec.replicas);
  (next.metadata as JsonObject).resourceVersion = metaOf(current).resourceVersion ?? '';
  const out = await r.service.update(r.type, r.namespace, r.name, next, undefined, r.options);
  return buildScale(r.type, out.object);
}
