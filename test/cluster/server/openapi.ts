// Pure: a minimal OpenAPI v3 index and per-group-version documents: enough for kubectl to see that every kind's PATCH
// accepts `fieldValidation` (so it leaves validation to the server); no schemas (kubectl then uses its built-in ones).
import type { JsonObject } from '../patch/json-value.ts';
import { apiVersionOf, type ResourceType } from '../resources/resource-type.ts';

function gvPath(group: string, version: string): string {
  return group === '' ? `api/${version}` : `apis/${group}/${version}`;
}

export function buildOpenApiV3Index(types: ResourceType[], hash: string): JsonObject {
  const paths: JsonObject = {};
  for (const t of types) {
    const p = gvPath(t.group, t.version);
    paths[p] = { serverRelativeURL: `/openapi/v3/${p}?hash=${hash}` };
  }
  return { paths };
}

const FIELD_VALIDATION = {
  name: 'fieldValidation', in: 'query', description: 'Strict, Warn or Ignore unknown and duplicate fields.',
  schema: { type: 'string', uniqueItems: true },
};

export function buildOpenApiV3Document(types: ResourceType[], group: string, version: string): JsonObject | undefined {
  const served = types.filter((t) => t.group === group && t.version === version);
  if (served.length === 0) return undefined;
  const paths: JsonObject = {};
  for (const t of served) {
    const base = `/${gvPath(group, version)}${t.namespaced ? '/namespaces/{namespace}' : ''}/${t.resource}/{name}`;
    paths[base] = {
      patch: {
        operationId: `patch${t.kind}`,
        'x-kubernetes-action': 'patch',
        'x-kubernetes-group-version-kind': { group, version, kind: t.kind },
        parameters: [FIELD_VALIDATION],
        responses: { '200': { description: 'OK' } },
      },
    };
  }
  return { openapi: '3.0.0', info: { title: 'Kubernetes (tapr local cluster)', version: apiVersionOf({ group, version }) }, paths, components: { schemas: {} } };
}
