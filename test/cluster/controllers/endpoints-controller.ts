// Controller: Endpoints for every Service with a selector — ready pods as addresses (pod IP + targetRef), others as
// notReadyAddresses, ports resolved by number or by container port name; removed with the Service.
import { ApiError } from '../api/status.ts';
import { metaOf } from '../api/object-meta.ts';
import { deepEqual, isJsonObject, type JsonObject } from '../patch/json-value.ts';
import type { StoreEvent } from '../store/store.ts';
import type { ResourceType } from '../resources/resource-type.ts';
import { KeyedController } from './store-controller.ts';
import { buildEndpointSubsets } from './endpoints-logic.ts';

export class EndpointsController extends KeyedController {
  private type(resource: string): ResourceType {
    return this.service.registry.find('', 'v1', resource)!;
  }

  protected override onStart(): void {
    for (const s of this.service.store.list('/services')) this.enqueue(metaOf(s).namespace!, metaOf(s).name!);
  }

  protected onEvent(e: StoreEvent): void {
    const m = metaOf(e.object);
    if (e.storageKey === '/services') {
      this.enqueue(m.namespace!, m.name!);
    } else if (e.storageKey === '/pods') {
      for (const s of this.service.store.list('/services', m.namespace)) this.enqueue(m.namespace!, metaOf(s).name!);
    }
  }

  protected async reconcile(namespace: string, name: string): Promise<void> {
    const svc = this.service.store.get('/services', namespace, name);
    const existing = this.service.store.get('/endpoints', namespace, name);
    const type = this.type('endpoints');
    try {
      if (svc === undefined) {
        if (existing !== undefined) {
          await this.service.delete(type, namespace, name, { user: this.user });
        }
        return;
      }
      const spec = isJsonObject(svc.spec) ? svc.spec : {};
      if (!isJsonObject(spec.selector) || Object.keys(spec.selector).length === 0) return; // Endpoints are the user's
      const subsets = buildEndpointSubsets(svc, this.service.store.list('/pods', namespace));
      const labels = metaOf(svc).labels ?? {};
      if (existing === undefined) {
        await this.service.create(type, namespace, { metadata: { name, labels }, subsets }, { user: this.user });
      } else if (!deepEqual(existing.subsets ?? [], subsets) || !deepEqual(metaOf(existing).labels ?? {}, labels)) {
        const next: JsonObject = { ...existing, metadata: { ...(existing.metadata as JsonObject), labels }, subsets };
        if (subsets.length === 0) delete next.subsets;
        await this.service.update(type, namespace, name, next, undefined, { user: this.user });
      }
    } catch (err) {
      if (err instanceof ApiError && (err.code === 404 || err.code === 409 || err.code === 403)) return;
      throw err;
    }
  }
}
