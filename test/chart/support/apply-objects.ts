// `kubectl apply` of rendered objects for the install test (I/O): create, or replace when present, resolving each
// kind's resource through API discovery. Requests go through the operator's own API client.
import { isApiError, type ApiClient } from '../../../operator/src/kube/api-client.ts';
import type { KubeObject } from './parse-manifests.ts';

interface ApiResourceList { resources: { name: string; kind: string; namespaced: boolean }[] }

export interface Applier {
  /** Creates each object in order, replacing one that exists (like `kubectl apply` of a fresh render). */
  apply(objects: readonly KubeObject[]): Promise<void>;
}

export function createApplier(api: ApiClient): Applier {
  const discovered = new Map<string, ApiResourceList>();

  async function resourcePath(object: KubeObject): Promise<{ collection: string; item: string }> {
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
  }

  return {
    async apply(objects) {
      for (const object of objects) {
        const { collection, item } = await resourcePath(object);
        try {
          await api.request({ method: 'POST', path: collection, body: object });
        } catch (error) {
          if (!isApiError(error, 409)) throw error;
          const current = await api.request<{ metadata: { resourceVersion: string } }>({ method: 'GET', path: item });
          await api.request({ method: 'PUT', path: item, body: { ...object, metadata: { ...object.metadata, resourceVersion: current.metadata.resourceVersion } } });
        }
        // A CRD serves its kind only once established.
        if (object.kind === 'CustomResourceDefinition') discovered.clear();
      }
    },
  };
}
