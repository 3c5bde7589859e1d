// Builds the mutated pod: the gateway as a native sidecar or as the last container, plus tapr.io/injected. Pure.
import type { Pod } from '../kube/pod.ts';
import { INJECTED_ANNOTATION } from '../naming.ts';
import type { GatewayContainer } from './gateway-container.ts';

export interface Injection {
  container: GatewayContainer;
  configHash: string;
  /** Kubernetes ≥ 1.29: an init container with restartPolicy Always starts before and stops after the app. */
  nativeSidecars: boolean;
}

/** Returns a new pod; the input is not modified. */
export function buildInjectedPod(pod: Pod, injection: Injection): Pod {
  const mutated = structuredClone(pod);
  const metadata = mutated.metadata ?? {};
  metadata.annotations = { ...metadata.annotations, [INJECTED_ANNOTATION]: injection.configHash };
  mutated.metadata = metadata;
  const container = structuredClone(injection.container);
  if (injection.nativeSidecars) {
    mutated.spec.initContainers = [...(mutated.spec.initContainers ?? []), { ...container, restartPolicy: 'Always' }];
  } else {
    mutated.spec.containers = [...mutated.spec.containers, container];
  }
  return mutated;
}
