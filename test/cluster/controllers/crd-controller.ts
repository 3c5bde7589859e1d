// Controller: serves the resources each CRD defines as soon as it is stored, reports it Established, and removes
// its custom resources when the CRD goes away.
import { metaOf } from '../api/object-meta.ts';
import { deepEqual, type JsonObject } from '../patch/json-value.ts';
import { buildCrdStatus, buildCrdTypes, type Crd } from '../resources/crd-types.ts';
import type { StoreEvent } from '../store/store.ts';
import { formatTimestamp } from '../api/object-meta.ts';
import { StoreController } from './store-controller.ts';

const CRD_STORAGE = 'apiextensions.k8s.io/customresourcedefinitions';

export class CrdController extends StoreController {
  protected override onStart(): void {
    for (const crd of this.service.store.list(CRD_STORAGE)) this.serve(crd);
  }

  protected onEvent(e: StoreEvent): void {
    if (e.storageKey !== CRD_STORAGE) return;
    const name = metaOf(e.object).name!;
    if (e.type === 'DELETED') {
      const crd = e.object as unknown as Crd;
      this.service.registry.setCustom(name, []);
      const storageKey = `${crd.spec.group}/${crd.spec.names.plural}`;
      for (const obj of this.service.store.list(storageKey)) {
        const m = metaOf(obj);
        this.service.store.remove(storageKey, m.namespace, m.name!);
      }
      return;
    }
    // Synchronous: the resources are served before the create request's response is written.
    this.serve(e.object);
    this.queue.push(() => this.writeStatus(name));
  }

  private serve(obj: JsonObject): void {
    const crd = obj as unknown as Crd;
    this.service.registry.setCustom(crd.metadata.name, buildCrdTypes(crd));
  }

  private async writeStatus(name: string): Promise<void> {
    const type = this.service.registry.find('apiextensions.k8s.io', 'v1', 'customresourcedefinitions')!;
    const current = this.service.store.get(CRD_STORAGE, undefined, name);
    if (current === undefined) return;
    const status = buildCrdStatus(current as unknown as Crd, formatTimestamp(new Date()), current.status as JsonObject | undefined);
    if (deepEqual(status, current.status)) return;
    await this.service.update(type, undefined, name, { ...current, status }, 'status', { user: this.user });
  }
}
