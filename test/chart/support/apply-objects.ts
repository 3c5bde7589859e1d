// `kubectl apply` of rendered objects for the install test (I/O): create, or replace when present, resolving each
// kind's resource through API discovery. Requests go through the operator's own API client.
import { isApiError, type ApiClient } from '../../../operator/src/kube/api-client.ts';
import type { KubeObject } from './parse-manifests.ts';
import { createResourceLocator } from './resource-paths.ts';

export interface Applier {
  /** Creates each object in order, replacing one that exists (like `kubectl apply` of a fresh render). */
  apply(objects: readonly KubeObject[]): Promise<void>;
}

export function createApplier(api: ApiClient): Applier {
  const locator = createResourceLocator(api);
  return {
    async apply(objects) {
      for (const object of objects) {
        const { collection, item } = await locator.pathsOf(object);
        try {
          await api.request({ method: 'POST', path: collection, body: object });
        } catch (error) {
          if (!isApiError(error, 409)) throw error;
          const current = await api.request<{ metadata: { resourceVersion: string } }>({ method: 'GET', path: item });
          await api.request({ method: 'PUT', path: item, body: { ...object, metadata: { ...object.metadata, resourceVersion: current.metadata.resourceVersion } } });
        }
        // A CRD serves its kind only once established.
        if (object.kind === 'CustomResourceDefinition') locator.forget();
      }
    },
  };
}
