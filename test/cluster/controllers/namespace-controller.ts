// Controller: deletes everything in a terminating namespace, then clears its `kubernetes` finalizer so it goes away.
import { ApiError } from '../api/status.ts';
import { metaOf } from '../api/object-meta.ts';
import { isJsonObject } from '../patch/json-value.ts';
import type { StoreEvent } from '../store/store.ts';
import { StoreController } from './store-controller.ts';

export class NamespaceController extends StoreController {
  protected onEvent(e: StoreEvent): void {
    if (e.type === 'DELETED') return;
    if (e.storageKey === '/namespaces') {
      if (metaOf(e.object).deletionTimestamp !== undefined) this.queue.push(() => this.drain(metaOf(e.object).name!));
      return;
    }
    const ns = metaOf(e.object).namespace;
    if (ns !== undefined && e.type !== 'ADDED') {
      const nsObj = this.service.store.get('/namespaces', undefined, ns);
      if (nsObj !== undefined && metaOf(nsObj).deletionTimestamp !== undefined) this.queue.push(() => this.drain(ns));
    }
  }

  private async drain(namespace: string): Promise<void> {
    const nsObj = this.service.store.get('/namespaces', undefined, namespace);
    if (nsObj === undefined || metaOf(nsObj).deletionTimestamp === undefined) return;
    let remaining = 0;
    for (const storageKey of this.service.store.storageKeysWithObjectsIn(namespace)) {
      const type = this.service.registry.byStorageKey(storageKey);
      if (type === undefined) continue;
      for (const obj of this.service.store.list(storageKey, namespace)) {
        remaining++;
        if (metaOf(obj).deletionTimestamp !== undefined) continue;
        try {
          await this.service.delete(type, namespace, metaOf(obj).name!, { user: this.user, propagationPolicy: 'Background' });
        } catch (err) {
          if (!(err instanceof ApiError && err.code === 404)) throw err;
        }
      }
    }
    if (remaining > 0 && this.service.store.storageKeysWithObjectsIn(namespace).length > 0) return;
    const type = this.service.registry.find('', 'v1', 'namespaces')!;
    const spec = isJsonObject(nsObj.spec) ? nsObj.spec : {};
    if (Array.isArray(spec.finalizers) && spec.finalizers.length > 0) {
      await this.service.patch(type, undefined, namespace, 'merge', { spec: { finalizers: null } }, undefined, { user: this.user });
    }
  }
}
