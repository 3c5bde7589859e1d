// Controller: Deployment → ReplicaSets named <deployment>-<pod-template-hash>; scale, rolling update (maxSurge /
// maxUnavailable as readiness allows), Recreate, and deployment status with Available/Progressing conditions.
import { ApiError } from '../api/status.ts';
import { formatTimestamp, metaOf, type OwnerReference } from '../api/object-meta.ts';
import { deepClone, deepEqual, isJsonObject, type JsonObject } from '../patch/json-value.ts';
import type { StoreEvent } from '../store/store.ts';
import type { ResourceType } from '../resources/resource-type.ts';
import { KeyedController } from './store-controller.ts';
import { deploymentStatus, podTemplateHash, rollingStep, type RsStatusView } from './workload-logic.ts';

export const HASH_LABEL = 'pod-template-hash';
const REVISION = 'deployment.kubernetes.io/revision';

export function controllerOf(obj: JsonObject, kind: string): OwnerReference | undefined {
  return (metaOf(obj).ownerReferences ?? []).find((r) => r.controller === true && r.kind === kind);
}

function num(v: unknown, fallback = 0): number {
  return typeof v === 'number' ? v : fallback;
}

function statusOf(obj: JsonObject): JsonObject {
  return isJsonObject(obj.status) ? obj.status : {};
}

function specOf(obj: JsonObject): JsonObject {
  return isJsonObject(obj.spec) ? obj.spec : {};
}

export class DeploymentController extends KeyedController {
  private get deployments(): ResourceType {
    return this.service.registry.find('apps', 'v1', 'deployments')!;
  }

  private get replicaSets(): ResourceType {
    return this.service.registry.find('apps', 'v1', 'replicasets')!;
  }

  protected override onStart(): void {
    for (const d of this.service.store.list('/deployments.apps')) this.enqueue(metaOf(d).namespace!, metaOf(d).name!);
  }

  protected onEvent(e: StoreEvent): void {
    const m = metaOf(e.object);
    if (e.storageKey === this.deployments.storageKey) {
      if (e.type !== 'DELETED') this.enqueue(m.namespace!, m.name!);
    } else if (e.storageKey === this.replicaSets.storageKey) {
      const owner = controllerOf(e.object, 'Deployment');
      if (owner !== undefined) this.enqueue(m.namespace!, owner.name);
    } else if (e.storageKey === '/pods' && e.type === 'DELETED') {
      // Recreate waits for the old pods to be gone.
      const rsRef = controllerOf(e.object, 'ReplicaSet');
      const rs = rsRef === undefined ? undefined : this.service.store.get(this.replicaSets.storageKey, m.namespace, rsRef.name);
      const owner = rs === undefined ? undefined : controllerOf(rs, 'Deployment');
      if (owner !== undefined) this.enqueue(m.namespace!, owner.name);
    }
  }

  protected async reconcile(namespace: string, name: string): Promise<void> {
    const d = this.service.store.get(this.deployments.storageKey, namespace, name);
    if (d === undefined || metaOf(d).deletionTimestamp !== undefined) return;
    const dm = metaOf(d);
    const spec = specOf(d);
    const desired = num(spec.replicas, 1);
    const template = isJsonObject(spec.template) ? spec.template : {};
    const strategy = isJsonObject(spec.strategy) ? spec.strategy : { type: 'RollingUpdate' };
    const hash = podTemplateHash(template, num(statusOf(d).collisionCount));
    const owned = this.service.store.list(this.replicaSets.storageKey, namespace).filter((rs) => controllerOf(rs, 'Deployment')?.uid === dm.uid);
    let newRs = owned.find((rs) => metaOf(rs).labels?.[HASH_LABEL] === hash);
    const oldRss = owned.filter((rs) => rs !== newRs && metaOf(rs).deletionTimestamp === undefined);
    const oldSpecTotal = oldRss.reduce((s, rs) => s + num(specOf(rs).replicas), 0);
    const paused = spec.paused === true;

    if (newRs === undefined && !paused) {
      const maxRevision = owned.reduce((m, rs) => Math.max(m, Number(metaOf(rs).annotations?.[REVISION] ?? 0)), 0);
      // The new ReplicaSet starts at full size when nothing old runs; otherwise the steps below grow it.
      const initial = oldSpecTotal === 0 && this.activePods(namespace, oldRss) === 0 ? desired : 0;
      newRs = await this.createReplicaSet(d, template, hash, initial, maxRevision + 1);
      if (newRs === undefined) return;
    }
    if (newRs !== undefined && !paused) {
      if (strategy.type === 'Recreate') {
        for (const rs of oldRss) await this.scale(rs, 0);
        if (this.activePods(namespace, oldRss) === 0) await this.scale(newRs, desired);
      } else if (oldSpecTotal === 0) {
        await this.scale(newRs, desired);
      } else {
        const view = (rs: JsonObject): { name: string; replicas: number; available: number; creationTimestamp: string } => ({
          name: metaOf(rs).name!, replicas: num(specOf(rs).replicas), available: num(statusOf(rs).availableReplicas), creationTimestamp: metaOf(rs).creationTimestamp ?? '',
        });
        const step = rollingStep(desired, strategy, view(newRs), oldRss.map(view));
        await this.scale(newRs, step.newReplicas);
        for (const rs of oldRss) await this.scale(rs, step.old.get(metaOf(rs).name!)!);
      }
    }
    await this.writeStatus(namespace, name);
  }

  private activePods(namespace: string, rss: JsonObject[]): number {
    const uids = new Set(rss.map((rs) => metaOf(rs).uid));
    return this.service.store.list('/pods', namespace).filter((p) => {
      const owner = controllerOf(p, 'ReplicaSet');
      return owner !== undefined && uids.has(owner.uid);
    }).length;
  }

  private async createReplicaSet(d: JsonObject, template: JsonObject, hash: string, replicas: number, revision: number): Promise<JsonObject | undefined> {
    const dm = metaOf(d);
    const spec = specOf(d);
    const podTemplate = deepClone(template);
    const tm = isJsonObject(podTemplate.metadata) ? podTemplate.metadata : {};
    podTemplate.metadata = { ...tm, labels: { ...(isJsonObject(tm.labels) ? tm.labels : {}), [HASH_LABEL]: hash } };
    const selector = isJsonObject(spec.selector) ? deepClone(spec.selector) : {};
    selector.matchLabels = { ...(isJsonObject(selector.matchLabels) ? selector.matchLabels : {}), [HASH_LABEL]: hash };
    const body: JsonObject = {
      metadata: {
        name: `${dm.name!}-${hash}`,
        labels: { ...(isJsonObject(tm.labels) ? tm.labels : {}), [HASH_LABEL]: hash },
        annotations: { [REVISION]: String(revision), 'deployment.kubernetes.io/desired-replicas': String(num(spec.replicas, 1)) },
        ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: dm.name!, uid: dm.uid!, controller: true, blockOwnerDeletion: true }],
      },
      spec: { replicas, minReadySeconds: num(spec.minReadySeconds), selector, template: podTemplate },
    };
    try {
      const out = await this.service.create(this.replicaSets, dm.namespace, body, { user: this.user });
      await this.setRevision(d, revision);
      return out.object;
    } catch (err) {
      if (err instanceof ApiError && (err.code === 409 || err.code === 403 || err.code === 404)) return undefined;
      throw err;
    }
  }

  private async setRevision(d: JsonObject, revision: number): Promise<void> {
    const current = this.service.store.get(this.deployments.storageKey, metaOf(d).namespace, metaOf(d).name!);
    if (current === undefined || metaOf(current).annotations?.[REVISION] === String(revision)) return;
    await this.service.patch(this.deployments, metaOf(d).namespace, metaOf(d).name!, 'merge', { metadata: { annotations: { [REVISION]: String(revision) } } }, undefined, { user: this.user });
  }

  private async scale(rs: JsonObject, replicas: number): Promise<void> {
    const current = this.service.store.get(this.replicaSets.storageKey, metaOf(rs).namespace, metaOf(rs).name!);
    if (current === undefined || num(specOf(current).replicas) === replicas) return;
    try {
      await this.service.patch(this.replicaSets, metaOf(rs).namespace, metaOf(rs).name!, 'merge', { spec: { replicas } }, undefined, { user: this.user });
    } catch (err) {
      if (err instanceof ApiError && err.code === 404) return;
      throw err;
    }
  }

  private async writeStatus(namespace: string, name: string): Promise<void> {
    const d = this.service.store.get(this.deployments.storageKey, namespace, name);
    if (d === undefined) return;
    const dm = metaOf(d);
    const spec = specOf(d);
    const hash = podTemplateHash(isJsonObject(spec.template) ? spec.template : {}, num(statusOf(d).collisionCount));
    const owned = this.service.store.list(this.replicaSets.storageKey, namespace).filter((rs) => controllerOf(rs, 'Deployment')?.uid === dm.uid);
    const newRs = owned.find((rs) => metaOf(rs).labels?.[HASH_LABEL] === hash);
    const view = (rs: JsonObject): RsStatusView => ({
      replicas: num(statusOf(rs).replicas), readyReplicas: num(statusOf(rs).readyReplicas), availableReplicas: num(statusOf(rs).availableReplicas),
    });
    const previous = statusOf(d);
    const status = deploymentStatus({
      desired: num(spec.replicas, 1), generation: dm.generation ?? 1, strategy: spec.strategy,
      newRs: newRs === undefined ? undefined : view(newRs), newRsSpecReplicas: newRs === undefined ? 0 : num(specOf(newRs).replicas),
      allRs: owned.map(view), oldSpecReplicas: owned.filter((rs) => rs !== newRs).reduce((s, rs) => s + num(specOf(rs).replicas) + num(statusOf(rs).replicas), 0),
      previousConditions: Array.isArray(previous.conditions) ? previous.conditions.filter(isJsonObject) : [],
      now: formatTimestamp(new Date()), newRsName: newRs === undefined ? undefined : metaOf(newRs).name, paused: spec.paused === true,
    });
    if (previous.collisionCount !== undefined) status.collisionCount = previous.collisionCount;
    if (deepEqual(previous, status)) return;
    try {
      await this.service.update(this.deployments, namespace, name, { ...d, status }, 'status', { user: this.user });
    } catch (err) {
      if (err instanceof ApiError && (err.code === 404 || err.code === 409)) return;
      throw err;
    }
  }
}

