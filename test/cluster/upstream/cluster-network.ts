// Pure: the addresses one local cluster uses, from ranges no real network uses (198.18.0.0/15, RFC 2544 test networks).
// Cluster number n (0–255) gets pods in 198.18.n.0/24 (198.18.n.1 is the host's end of the pod bridge) and Service
// ClusterIPs in 198.19.n.0/24 (not routed: there is no kube-proxy), so clusters side by side never share an address.

export interface ClusterNetwork {
  readonly index: number;
  /** Pods' addresses, e.g. 198.18.7.0/24. */
  readonly podCidr: string;
  /** The host's address on the pod bridge: pods reach the API server (and any host listener) here. */
  readonly hostIp: string;
  /** The apiserver's --service-cluster-ip-range. */
  readonly serviceCidr: string;
  /** The `kubernetes` Service's ClusterIP (first address of the range), in the serving certificate. */
  readonly kubernetesServiceIp: string;
  /** Linux bridge name for this cluster's pods (≤ 15 characters). */
  readonly bridgeName: string;
}

export function buildClusterNetwork(index: number): ClusterNetwork {
  if (!Number.isInteger(index) || index < 0 || index > 255) throw new Error(`cluster network index must be 0-255, got ${index}`);
  return {
    index,
    podCidr: `198.18.${index}.0/24`,
    hostIp: `198.18.${index}.1`,
    serviceCidr: `198.19.${index}.0/24`,
    kubernetesServiceIp: `198.19.${index}.1`,
    bridgeName: `taprbr${index}`,
  };
}
