// Controller: owner-reference garbage collection (background, foreground, orphan) over the store's event stream.
import { ApiError } from '../api/status.ts';
import { metaOf, type OwnerReference } from '../api/object-meta.ts';
import type { JsonObject } from '../patch/json-value.ts';
import type { ResourceType } from '../resources/resource-type.ts';
import type { StoreEvent } from '../store/store.ts';
import { StoreController } from './store-controller.ts';

interface Dependent {
  type: ResourceType;
  object: JsonObject;
}

export class GarbageCollector extends StoreController {
  protected onEvent(e: StoreEvent): void {
    const m = metaOf(e.object);
    const uid = m.uid;
    if (uid === undefined) return;
    for (const ref of m.ownerReferences ?? []) {
      const owner = this.service.store.findByUid(ref.uid);
      const om = owner === undefined ? undefined : metaOf(owner.object);
      if (owner !== undefined && om?.deletionTimestamp !== undefined && om.finalizers?.includes('foregroundDeletion') === true) {
        this.queue.push(() => this.foreground(owner.storageKey, ref.uid));
      }
    }
    if (e.type === 'DELETED') {
      this.queue.push(() => this.collectDependentsOf(uid));
      return;
    }
    if ((m.ownerReferences ?? []).length > 0) this.queue.push(() => this.checkOwners(e.storageKey, e.object));
    if (m.deletionTimestamp !== undefined) {
      if (m.finalizers?.includes('foregroundDeletion') === true) this.queue.push(() => this.foreground(e.storageKey, uid));
      if (m.finalizers?.includes('orphan') === true) this.queue.push(() => this.orphan(e.storageKey, uid));
    }
  }

  private dependentsOf(uid: string): Dependent[] {
    const out: Dependent[] = [];
    const seen = new Set<string>();
    for (const type of this.service.registry.all()) {
      if (type.codec !== undefined || seen.has(type.storageKey)) continue;
      seen.add(type.storageKey);
      for (const obj of this.service.store.list(type.storageKey)) {
        if ((metaOf(obj).ownerReferences ?? []).some((r) => r.uid === uid)) out.push({ type, object: this.service.present(type, obj) });
      }
    }
    return out;
  }

  private ownerExists(ref: OwnerReference, dependentNamespace: string | undefined): boolean {
    const found = this.service.store.findByUid(ref.uid);
    if (found === undefined) return false;
    const m = metaOf(found.object);
    return m.name === ref.name && (m.namespace === undefined || m.namespace === dependentNamespace);
  }

  /** A dependent whose owners are all gone is deleted; one that still has an owner loses the dead reference. */
  private async checkOwners(storageKey: string, snapshot: JsonObject): Promise<void> {
    const type = this.service.registry.byStorageKey(storageKey);
    const m = metaOf(snapshot);
    if (type === undefined || m.name === undefined) return;
    const current = this.service.store.get(storageKey, m.namespace, m.name);
    if (current === undefined || metaOf(current).uid !== m.uid) return;
    const refs = metaOf(current).ownerReferences ?? [];
    const alive = refs.filter((r) => this.ownerExists(r, m.namespace));
    if (alive.length === refs.length) return;
    if (alive.length === 0) {
      await this.deleteQuietly(type, current, 'Background');
    } else {
      await this.setOwnerReferences(type, current, alive);
    }
  }

  private async collectDependentsOf(uid: string): Promise<void> {
    for (const dep of this.dependentsOf(uid)) await this.checkOwners(dep.type.storageKey, dep.object);
  }

  /** Foreground: delete the dependents (foreground too); drop the owner's finalizer once no blocking dependent remains. */
  private async foreground(storageKey: string, uid: string): Promise<void> {
    const dependents = this.dependentsOf(uid);
    for (const dep of dependents) {
      if (metaOf(dep.object).deletionTimestamp === undefined) {
        const remaining = (metaOf(dep.object).ownerReferences ?? []).filter((r) => r.uid !== uid && this.ownerExists(r, metaOf(dep.object).namespace));
        if (remaining.length === 0) await this.deleteQuietly(dep.type, dep.object, 'Foreground');
        else await this.setOwnerReferences(dep.type, dep.object, remaining);
      }
    }
    const blocking = this.dependentsOf(uid).filter((d) => (metaOf(d.object).ownerReferences ?? []).some((r) => r.uid === uid && r.blockOwnerDeletion === true));
    if (blocking.length === 0) await this.removeFinalizer(storageKey, uid, 'foregroundDeletion');
  }

  /** Orphan: remove the owner's references from its dependents, then its `orphan` finalizer. */
  private async orphan(storageKey: string, uid: string): Promise<void> {
    for (const dep of this.dependentsOf(uid)) {
      await this.setOwnerReferences(dep.type, dep.object, (metaOf(dep.object).ownerReferences ?? []).filter((r) => r.uid !== uid));
    }
    await this.removeFinalizer(storageKey, uid, 'orphan');
  }

  private async removeFinalizer(storageKey: string, uid: string, finalizer: string): Promise<void> {
    const found = this.service.store.findByUid(uid);
    const type = this.service.registry.byStorageKey(storageKey);
    if (found === undefined || type === undefined) return;
    const m = metaOf(found.object);
    const finalizers = (m.finalizers ?? []).filter((f) => f !== finalizer);
    await this.ignoreGone(this.service.patch(type, m.namespace, m.name!, 'json',
      [{ op: 'test', path: '/metadata/uid', value: uid }, { op: 'replace', path: '/metadata/finalizers', value: finalizers }], undefined, { user: this.user }));
  }

  private async setOwnerReferences(type: ResourceType, obj: JsonObject, refs: OwnerReference[]): Promise<void> {
    const m = metaOf(obj);
    await this.ignoreGone(this.service.patch(type, m.namespace, m.name!, 'json', [
      { op: 'test', path: '/metadata/uid', value: m.uid! },
      refs.length === 0 ? { op: 'remove', path: '/metadata/ownerReferences' } : { op: 'replace', path: '/metadata/ownerReferences', value: refs as unknown as JsonObject[] },
    ], undefined, { user: this.user }));
  }

  private async deleteQuietly(type: ResourceType, obj: JsonObject, policy: 'Background' | 'Foreground'): Promise<void> {
    const m = metaOf(obj);
    await this.ignoreGone(this.service.delete(type, m.namespace, m.name!, { user: this.user, propagationPolicy: policy, preconditions: { uid: m.uid! } }));
  }

  private async ignoreGone(op: Promise<unknown>): Promise<void> {
    try {
      await op;
    } catch (err) {
      if (err instanceof ApiError && (err.code === 404 || err.code === 409 || err.code === 422)) return;
      throw err;
    }
  }
}
