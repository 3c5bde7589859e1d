// Maps an object's apiVersion and kind to its REST paths through API discovery, as kubectl does. I/O (discovery GETs).
import type { ApiClient } from '../../../operator/src/kube/api-client.ts';
import type { KubeObject } from './parse-manifests.ts';

interface ApiResourceList { resources: { name: string; kind: string; namespaced: boolean }[] }

export interface ResourcePaths {
  collection: string;
  item: string;
}

export interface ResourceLocator {
  /** The collection and item paths of the object (a namespaced object without a namespace is in `default`). */
  pathsOf(object: Pick<KubeObject, 'apiVersion' | 'kind' | 'metadata'>): Promise<ResourcePaths>;
  /** Drops what discovery said (after a CRD is created, its group starts to be served). */
  forget(): void;
}

export function createResourceLocator(api: ApiClient): ResourceLocator {
  const discovered = new Map<string, ApiResourceList>();
  return {
    async pathsOf(object) {
      const groupVersionPath = object.apiVersion.includes('/') ? `/apis/${object.apiVersion}` : `/api/${object.apiVersion}`;
      let list = discovered.get(groupVersionPath);
      if (list === undefined) {
        list = await api.request<ApiResourceList>({ method: 'GET', path: groupVersionPath });
        discovered.set(groupVersionPath, list);
      }
      const resource = list.resources.find((candidate) => candidate.kind === object.kind && !candidate.name.includes('/'));
      if (resource === undefined) throw new Error(`the cluster does not serve ${object.kind} in ${object.apiVersion}`);
      const namespace = object.metadata.namespace ?? 'default';
      const collection = resource.namespaced ? `${groupVersionPath}/namespaces/${namespace}/${resource.name}` : `${groupVersionPath}/${resource.name}`;
      return { collection, item: `${collection}/${object.metadata.name}` };
    },
    forget() {
      discovered.clear();
    },
  };
}
