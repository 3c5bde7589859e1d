// Reads the operator's pod template out of a rendered Deployment: its container and the environment the process will
// see (downward-API fields resolved the way the kubelet does). Pure.
import type { KubeObject } from './parse-manifests.ts';

export interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { fieldRef?: { fieldPath: string } };
}

export interface Container {
  name: string;
  image: string;
  env?: EnvVar[];
  ports?: { name: string; containerPort: number }[];
  securityContext?: Record<string, unknown>;
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  volumeMounts?: { name: string; mountPath: string; readOnly?: boolean }[];
  startupProbe?: Probe;
  livenessProbe?: Probe;
  readinessProbe?: Probe;
}

export interface Probe { httpGet?: { path: string; port: string | number } }

export interface PodSpec {
  containers: Container[];
  securityContext?: Record<string, unknown>;
  affinity?: Record<string, unknown>;
  volumes?: { name: string; secret?: { secretName: string }; emptyDir?: unknown; hostPath?: unknown }[];
  priorityClassName?: string;
  serviceAccountName?: string;
  automountServiceAccountToken?: boolean;
}

export function podSpecOf(deployment: KubeObject): PodSpec {
  return (deployment.spec as { template: { spec: PodSpec } }).template.spec;
}

export function podLabelsOf(deployment: KubeObject): Record<string, string> {
  return (deployment.spec as { template: { metadata: { labels: Record<string, string> } } }).template.metadata.labels;
}

export function operatorContainer(deployment: KubeObject): Container {
  const container = podSpecOf(deployment).containers.find((candidate) => candidate.name === 'operator');
  if (container === undefined) throw new Error(`Deployment ${deployment.metadata.name} has no container named operator`);
  return container;
}

/** The container's environment as the process sees it in a pod of this name and namespace. */
export function processEnv(container: Container, pod: { namespace: string; name: string }): Record<string, string> {
  const env: Record<string, string> = {};
  for (const variable of container.env ?? []) {
    const fieldPath = variable.valueFrom?.fieldRef?.fieldPath;
    if (fieldPath === 'metadata.namespace') env[variable.name] = pod.namespace;
    else if (fieldPath === 'metadata.name') env[variable.name] = pod.name;
    else if (variable.value !== undefined) env[variable.name] = variable.value;
    else throw new Error(`env ${variable.name}: unsupported source ${JSON.stringify(variable.valueFrom)}`);
  }
  return env;
}
