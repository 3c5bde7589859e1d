// Controller: ReplicaSet → Pods (generateName <rs>-, template labels, controller owner reference); creates and
// deletes pods to match spec.replicas and writes status (replicas, fullyLabeledReplicas, ready, available).
import { ApiError } from '../api/status.ts';
import { metaOf } from '../api/object-meta.ts';
import { deepClone, deepEqual, isJsonObject, type JsonObject } from '../patch/json-value.ts';
import type { StoreEvent } from '../store/store.ts';
import type { ResourceType } from '../resources/resource-type.ts';
import { KeyedController } from './store-controller.ts';
import { controllerOf } from './deployment-controller.ts';
import { podIsReady, scaleDownOrder } from './workload-logic.ts';

function num(v: unknown, fallback = 0): number {
  return typeof v === 'number' ? v : fallback;
}

export class ReplicaSetController extends KeyedController {
  private get replicaSets(): ResourceType {
    return this.service.registry.find('apps', 'v1', 'replicasets')!;
  }

  private get pods(): ResourceType {
    return this.service.registry.find('', 'v1', 'pods')!;
  }

  protected override onStart(): void {
    for (const rs of this.service.store.list(this.replicaSets.storageKey)) this.enqueue(metaOf(rs).namespace!, metaOf(rs).name!);
  }

  protected onEvent(e: StoreEvent): void {
    const m = metaOf(e.object);
    if (e.storageKey === this.replicaSets.storageKey) {
      if (e.type !== 'DELETED') this.enqueue(m.namespace!, m.name!);
    } else if (e.storageKey === '/pods') {
      const owner = controllerOf(e.object, 'ReplicaSet');
      if (owner !== undefined) this.enqueue(m.namespace!, owner.name);
    }
  }

  private ownedPods(rs: JsonObject): JsonObject[] {
    const uid = metaOf(rs).uid;
    return this.service.store.list('/pods', metaOf(rs).namespace).filter((p) => controllerOf(p, 'ReplicaSet')?.uid === uid);
  }

  protected async reconcile(namespace: string, name: string): Promise<void> {
    const rs = this.service.store.get(this.replicaSets.storageKey, namespace, name);
    if (rs === undefined || metaOf(rs).deletionTimestamp !== undefined) return;
    const spec = isJsonObject(rs.spec) ? rs.spec : {};
    const desired = num(spec.replicas, 1);
    const active = this.ownedPods(rs).filter((p) => metaOf(p).deletionTimestamp === undefined && !isFinished(p));
    if (active.length < desired) {
      for (let i = active.length; i < desired; i++) if (!(await this.createPod(rs))) break;
    } else if (active.length > desired) {
      for (const p of scaleDownOrder(active).slice(0, active.length - desired)) {
        try {
          await this.service.delete(this.pods, namespace, metaOf(p).name!, { user: this.user });
        } catch (err) {
          if (!(err instanceof ApiError && err.code === 404)) throw err;
        }
      }
    }
    await this.writeStatus(namespace, name);
  }

  private async createPod(rs: JsonObject): Promise<boolean> {
    const m = metaOf(rs);
    const spec = isJsonObject(rs.spec) ? rs.spec : {};
    const template = isJsonObject(spec.template) ? deepClone(spec.template) : {};
    const tm = isJsonObject(template.metadata) ? template.metadata : {};
    const body: JsonObject = {
      metadata: {
        ...tm,
        generateName: `${m.name!}-`,
        ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: m.name!, uid: m.uid!, controller: true, blockOwnerDeletion: true }],
      },
      spec: isJsonObject(template.spec) ? template.spec : {},
    };
    try {
      await this.service.create(this.pods, m.namespace, body, { user: this.user });
      return true;
    } catch (err) {
      // A terminating namespace, or a webhook that refuses the pod: the next event tries again.
      if (err instanceof ApiError && err.code < 500) return false;
      throw err;
    }
  }

  private async writeStatus(namespace: string, name: string): Promise<void> {
    const rs = this.service.store.get(this.replicaSets.storageKey, namespace, name);
    if (rs === undefined) return;
    const pods = this.ownedPods(rs).filter((p) => metaOf(p).deletionTimestamp === undefined && !isFinished(p));
    const ready = pods.filter(podIsReady).length;
    const previous = isJsonObject(rs.status) ? rs.status : {};
    const status: JsonObject = {
      replicas: pods.length, fullyLabeledReplicas: pods.length, readyReplicas: ready, availableReplicas: ready, observedGeneration: metaOf(rs).generation ?? 1,
    };
    for (const k of ['fullyLabeledReplicas', 'readyReplicas', 'availableReplicas']) if (status[k] === 0) delete status[k];
    if (deepEqual(previous, status)) return;
    try {
      await this.service.update(this.replicaSets, namespace, name, { ...rs, status }, 'status', { user: this.user });
    } catch (err) {
      if (err instanceof ApiError && (err.code === 404 || err.code === 409)) return;
      throw err;
    }
  }
}

function isFinished(pod: JsonObject): boolean {
  const phase = isJsonObject(pod.status) ? pod.status.phase : undefined;
  return phase === 'Succeeded' || phase === 'Failed';
}
