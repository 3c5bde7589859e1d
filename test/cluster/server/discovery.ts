// Pure: the legacy discovery documents (/api, /apis, /apis/<group>, group-version resource lists) and /version.
import type { JsonObject } from '../patch/json-value.ts';
import { apiVersionOf, type ResourceType } from '../resources/resource-type.ts';

export const SERVER_VERSION = {
  major: '1', minor: '32', gitVersion: 'v1.32.0-tapr-local', gitCommit: '0000000000000000000000000000000000000000',
  gitTreeState: 'clean', buildDate: '2025-01-01T00:00:00Z', goVersion: 'go1.23', compiler: 'gc', platform: 'linux/amd64',
};

export function buildApiVersions(serverAddress: string): JsonObject {
  return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }] };
}

function groupOf(types: ResourceType[], group: string): JsonObject {
  const versions = [...new Set(types.filter((t) => t.group === group).map((t) => t.version))];
  const entries = versions.map((version) => ({ groupVersion: `${group}/${version}`, version }));
  return { name: group, versions: entries, preferredVersion: entries[0]! };
}

export function buildApiGroupList(types: ResourceType[]): JsonObject {
  const groups = [...new Set(types.filter((t) => t.group !== '').map((t) => t.group))];
  return { kind: 'APIGroupList', apiVersion: 'v1', groups: groups.map((g) => groupOf(types, g)) };
}

export function buildApiGroup(types: ResourceType[], group: string): JsonObject | undefined {
  if (!types.some((t) => t.group === group)) return undefined;
  return { kind: 'APIGroup', apiVersion: 'v1', ...groupOf(types, group) };
}

export function buildResourceList(types: ResourceType[], group: string, version: string): JsonObject | undefined {
  const served = types.filter((t) => t.group === group && t.version === version);
  if (served.length === 0) return undefined;
  const resources: JsonObject[] = [];
  for (const t of served) {
    const r: JsonObject = { name: t.resource, singularName: t.singular, namespaced: t.namespaced, kind: t.kind, verbs: t.verbs };
    if (t.shortNames.length > 0) r.shortNames = t.shortNames;
    if (t.categories.length > 0) r.categories = t.categories;
    resources.push(r);
    if (t.subresources.status) {
      resources.push({ name: `${t.resource}/status`, singularName: '', namespaced: t.namespaced, kind: t.kind, verbs: ['get', 'patch', 'update'] });
    }
    if (t.group === '' && t.resource === 'serviceaccounts') {
      resources.push({ name: 'serviceaccounts/token', singularName: '', namespaced: true, group: 'authentication.k8s.io', version: 'v1', kind: 'TokenRequest', verbs: ['create'] });
    }
    if (t.subresources.scale !== undefined) {
      resources.push({ name: `${t.resource}/scale`, singularName: '', namespaced: t.namespaced, group: 'autoscaling', version: 'v1', kind: 'Scale', verbs: ['get', 'patch', 'update'] });
    }
  }
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: apiVersionOf({ group, version }), resources };
}
