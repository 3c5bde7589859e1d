// Pure: pod phase and conditions (PodScheduled, Initialized, ContainersReady, Ready) from the containers' statuses,
// as the kubelet computes them.
import type { JsonObject } from './json-value.ts';

export type ContainerState =
  | { waiting: { reason: string; message?: string } }
  | { running: { startedAt: string } }
  | { terminated: { exitCode: number; reason: string; signal?: number; startedAt: string; finishedAt: string; message?: string } };

export interface ContainerStatusView {
  name: string;
  image: string;
  state: ContainerState;
  lastState: ContainerState | undefined;
  ready: boolean;
  started: boolean;
  restartCount: number;
  containerID: string | undefined;
}

export interface PodStatusInput {
  podIP: string;
  /** The node's address (default 127.0.0.1). */
  hostIP?: string | undefined;
  startTime: string;
  restartPolicy: string;
  init: { status: ContainerStatusView; sidecar: boolean }[];
  main: ContainerStatusView[];
  initialized: boolean;
  /** An init container failed for good (restartPolicy Never). */
  initFailed: boolean;
  previousConditions: JsonObject[];
  now: string;
}

export function containerStatusJson(s: ContainerStatusView): JsonObject {
  const out: JsonObject = {
    name: s.name, image: s.image, imageID: '', ready: s.ready, started: s.started, restartCount: s.restartCount,
    state: s.state, lastState: s.lastState === undefined ? {} : s.lastState,
  };
  if (s.containerID !== undefined) out.containerID = s.containerID;
  return out;
}

export function podPhase(input: PodStatusInput): string {
  if (input.initFailed) return 'Failed';
  if (!input.initialized) return 'Pending';
  const main = input.main;
  if (main.some((c) => 'waiting' in c.state && c.restartCount === 0 && c.lastState === undefined)) return 'Pending';
  if (main.some((c) => 'running' in c.state || 'waiting' in c.state)) return 'Running';
  const codes = main.map((c) => ('terminated' in c.state ? c.state.terminated.exitCode : 0));
  if (input.restartPolicy === 'Always') return 'Running';
  if (codes.every((c) => c === 0)) return 'Succeeded';
  return input.restartPolicy === 'Never' ? 'Failed' : 'Running';
}

function condition(previous: JsonObject[], type: string, ok: boolean, now: string, reason?: string, message?: string): JsonObject {
  const status = ok ? 'True' : 'False';
  const old = previous.find((c) => c.type === type);
  const out: JsonObject = { type, status, lastProbeTime: null, lastTransitionTime: old !== undefined && old.status === status ? old.lastTransitionTime! : now };
  if (!ok && reason !== undefined) out.reason = reason;
  if (!ok && message !== undefined) out.message = message;
  return out;
}

export function buildPodStatus(input: PodStatusInput): JsonObject {
  const phase = podPhase(input);
  const now = input.now;
  const prev = input.previousConditions;
  const sidecars = input.init.filter((c) => c.sidecar).map((c) => c.status);
  const readyScope = [...sidecars, ...input.main];
  const unready = readyScope.filter((c) => !c.ready).map((c) => c.name);
  const done = phase === 'Succeeded' || phase === 'Failed';
  const containersReady = unready.length === 0 && !done;
  const unreadyMessage = `containers with unready status: [${unready.join(' ')}]`;
  const uninitialized = input.init.filter((c) => !c.sidecar && !('terminated' in c.status.state && c.status.state.terminated.exitCode === 0)).map((c) => c.status.name);
  const reasonNotReady = done ? 'PodCompleted' : 'ContainersNotReady';
  const status: JsonObject = {
    phase,
    conditions: [
      condition(prev, 'PodReadyToStartContainers', true, now),
      condition(prev, 'Initialized', input.initialized, now, 'ContainersNotInitialized', `containers with incomplete status: [${uninitialized.join(' ')}]`),
      condition(prev, 'Ready', containersReady, now, reasonNotReady, done ? undefined : unreadyMessage),
      condition(prev, 'ContainersReady', containersReady, now, reasonNotReady, done ? undefined : unreadyMessage),
      condition(prev, 'PodScheduled', true, now),
    ],
    hostIP: input.hostIP ?? '127.0.0.1',
    hostIPs: [{ ip: input.hostIP ?? '127.0.0.1' }],
    podIP: input.podIP,
    podIPs: [{ ip: input.podIP }],
    startTime: input.startTime,
    containerStatuses: input.main.map(containerStatusJson),
    qosClass: 'BestEffort',
  };
  if (input.init.length > 0) status.initContainerStatuses = input.init.map((c) => containerStatusJson(c.status));
  return status;
}
