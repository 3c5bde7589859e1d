// Until the node agent runs pods on the real control plane (issue 11), tests that run pods (an image map) get our own
// API server and its in-process node agent; every other test gets the real control plane. One place for that choice.
import { startCluster, type Cluster } from './start-cluster.ts';
import { startLegacyCluster, type StartLegacyClusterOptions } from './start-legacy-cluster.ts';

/** What tests use of a cluster, whichever runs it. */
export type TestClusterHandle = Pick<Cluster, 'kubeconfig' | 'kubeconfigPath' | 'server' | 'caPem' | 'faults' | 'serviceAccountToken' | 'stop'>
  & { readonly podNetworkHostIp: string | undefined };

export type TransitionalClusterOptions = Pick<StartLegacyClusterOptions, 'images' | 'restartBackoffMs'>;

export async function startTransitionalCluster(dir: string, options: TransitionalClusterOptions = {}): Promise<TestClusterHandle> {
  if (options.images === undefined || options.images === false) {
    const cluster = await startCluster({ dir });
    return Object.assign(cluster, { podNetworkHostIp: cluster.controlPlane.network.hostIp });
  }
  const legacy = await startLegacyCluster({ dir, onControllerError: () => {}, ...options });
  return {
    kubeconfig: legacy.kubeconfig, kubeconfigPath: legacy.kubeconfigPath, server: legacy.server, caPem: legacy.caPem,
    podNetworkHostIp: undefined,
    faults: { ...legacy.faults, compactHistory: () => Promise.resolve(legacy.faults.compactHistory()) },
    serviceAccountToken: (namespace, name, seconds) => Promise.resolve(legacy.serviceAccountToken(namespace, name, seconds)),
    stop: () => legacy.stop(),
  };
}
