// Restarts the pods of a Deployment whose injected gateway config is outdated (--restart-outdated on): decides with
// decideRestart, then patches the pod template's tapr.io/restartedAt (and restarted-for) so the Deployment controller
// rolls the pods within maxUnavailable, and records an Event. Decisions are serialised, so two keys reconciled at
// the same time never both start a rollout. Runs only inside the leader's reconcile. I/O.
import type { ApiClient } from '../kube/api-client.ts';
import { objectKey, type Deployment } from '../kube/objects.ts';
import type { Pod } from '../kube/pod.ts';
import { toRfc3339 } from '../status/compute-status.ts';
import { buildRestartPatch, decideRestart, findOutdatedPods, findRollingRestarts, readRollout, type RestartDecision } from './decide-restart.ts';
import type { EventRecorder } from './event-recorder.ts';
import type { CacheReader } from './reconcile-gateway.ts';
import type { ReconcileResult } from './work-queue.ts';

export const RESTARTING_EVENT_REASON = 'RestartingOutdatedPods';

export interface RestartRequest {
  deployment: Deployment;
  /** Its pods that are not being deleted. */
  pods: Pod[];
  /** The configHash injection produces now; undefined for an invalid manifest or no websocket block. */
  expectedHash: string | undefined;
}

export type OutdatedRestarter = (request: RestartRequest) => Promise<ReconcileResult>;

export interface OutdatedRestarterOptions {
  api: ApiClient;
  /** Every cached Deployment, to see which restart is still rolling cluster-wide. */
  deployments: CacheReader;
  recordEvent: EventRecorder;
  now?: () => Date;
  /** How soon a Deployment waiting for another one's restart asks again (default 5 s). */
  waitMs?: number;
  onRestart?: (key: string, decision: Extract<RestartDecision, { kind: 'restart' }>) => void;
}

export function createOutdatedRestarter(options: OutdatedRestarterOptions): OutdatedRestarter {
  const now = options.now ?? (() => new Date());
  /** Deployments we patched → the generation the patch produced, until the cache shows it (it lags our writes). */
  const requested = new Map<string, number>();
  let turn: Promise<unknown> = Promise.resolve();
  // After a gateway setting changes, every opted-in Deployment is outdated and waits its turn, asking again every
  // few seconds: one scan of all cached Deployments per second serves them all (1000 waiting keys would otherwise
  // read 1000 Deployments 200 times a second).
  let rollingView: { at: number; rolling: string[] } | undefined;
  const ROLLING_VIEW_MS = 1000;

  function rollingNow(): string[] {
    const at = now().getTime();
    if (rollingView !== undefined && at - rollingView.at < ROLLING_VIEW_MS) return rollingView.rolling;
    const rollouts = options.deployments.list().map((object) => readRollout(objectKey(object.metadata.namespace, object.metadata.name), object));
    for (const rollout of rollouts) {
      const generation = requested.get(rollout.key);
      if (generation !== undefined && rollout.generation >= generation) requested.delete(rollout.key);
    }
    rollingView = { at, rolling: findRollingRestarts(rollouts, requested) };
    return rollingView.rolling;
  }

  return async (request) => {
    // Fast path for the usual case, without the lock or a look at every Deployment.
    if (request.expectedHash === undefined || findOutdatedPods(request.pods, request.expectedHash).length === 0) return { kind: 'ok' };
    const run = turn.then(() => decideAndRestart(request));
    turn = run.catch(() => undefined);
    return await run;
  };

  async function decideAndRestart({ deployment, pods, expectedHash }: RestartRequest): Promise<ReconcileResult> {
    const namespace = deployment.metadata.namespace ?? '';
    const key = objectKey(namespace, deployment.metadata.name);
    const decision = decideRestart({ rollout: readRollout(key, deployment), pods, expectedHash, rolling: rollingNow() });
    if (decision.kind === 'wait') return { kind: 'requeueAfter', ms: options.waitMs ?? 5000 };
    if (decision.kind === 'skip') return { kind: 'ok' };
    const at = toRfc3339(now());
    const patched = await options.api.request<{ metadata?: { generation?: number } }>({
      method: 'PATCH',
      path: `/apis/apps/v1/namespaces/${namespace}/deployments/${deployment.metadata.name}`,
      patchType: 'merge',
      body: buildRestartPatch({ resourceVersion: deployment.metadata.resourceVersion, restartedAt: at, expectedHash: decision.expectedHash }),
    });
    requested.set(key, patched.metadata?.generation ?? (deployment.metadata.generation ?? 0) + 1);
    // The next decision must see this restart rolling.
    rollingView = undefined;
    options.onRestart?.(key, decision);
    const shown = decision.outdatedPods.slice(0, 5).join(', ') + (decision.outdatedPods.length > 5 ? `, and ${decision.outdatedPods.length - 5} more` : '');
    await options.recordEvent(
      { apiVersion: 'apps/v1', kind: 'Deployment', name: deployment.metadata.name, namespace, uid: deployment.metadata.uid ?? '' },
      {
        type: 'Normal',
        reason: RESTARTING_EVENT_REASON,
        message: `restarting ${decision.outdatedPods.length} of ${pods.length} pod(s) whose gateway config is outdated (now configHash ${decision.expectedHash}): ${shown}`,
      },
    );
    return { kind: 'ok' };
  }
}
