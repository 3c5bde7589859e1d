// Starts the node agent on a real control plane (I/O): the pod bridge, the `kubernetes` Service forwarder on
// <hostIp>:443, the node's client and serving certificates, the HTTPS log endpoint, and the kubelet stand-in that
// registers Node `local-node` and runs the pods bound to it. stop() removes every process, namespace, veth and the bridge.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import type { ClusterNetwork } from '../upstream/cluster-network.ts';
import { defaultImageMap, GATEWAY_IMAGE, type ImageMap } from './image-map.ts';
import { ApiClient } from './kubelet/api-client.ts';
import { startApiserverForwarder } from './kubelet/apiserver-forwarder.ts';
import { Kubelet } from './kubelet/kubelet.ts';
import { startLogServer } from './kubelet/log-server.ts';
import { SERVICE_ACCOUNT_MOUNT_PATH } from './kubelet/node-object.ts';
import { PodNetwork } from './kubelet/pod-network.ts';

export const NODE_NAME = 'local-node';
/** Where pods reach the API server: the forwarder on the bridge address, as the `kubernetes` Service's HTTPS port. */
export const APISERVER_PORT_FOR_PODS = 443;

/** What the node agent needs of the control plane (test/cluster/upstream/control-plane.ts's ControlPlane has it). */
export interface NodeAgentControlPlane {
  dir: string;
  server: string;
  caPem: string;
  network: ClusterNetwork;
  issueCertificate(o: { commonName: string; organizations?: string[]; dnsNames?: string[]; ipAddresses?: string[]; usage: 'server' | 'client' }):
    Promise<{ certPem: string; keyPem: string }>;
}

export interface StartNodeAgentOptions {
  controlPlane: NodeAgentControlPlane;
  images: ImageMap;
  /** Where the image map came from (named in ImageNotInMap messages). */
  imageMapSource: string;
  backoffMs?: { base: number; max: number };
  onError?: (err: unknown) => void;
  /** Tests: refresh ServiceAccount tokens after this long instead of at 80% of their lifetime. */
  tokenRefreshMs?: number;
}

export interface NodeAgent {
  readonly nodeName: string;
  /** The node's HTTPS port (status.daemonEndpoints.kubeletEndpoint.Port). */
  readonly kubeletPort: number;
  stop(): Promise<void>;
}

/**
 * The built-in gateway entry without the old agent's `WS_GATEWAY_HOST=${POD_IP}` (in a pod of its own the gateway's
 * default 0.0.0.0 is right); an entry the caller changed is kept as given.
 */
export function buildPodImageMap(images: ImageMap): ImageMap {
  const out = { ...images };
  const builtIn = defaultImageMap()[GATEWAY_IMAGE]!;
  const given = out[GATEWAY_IMAGE];
  if (given === undefined || isDeepStrictEqual(given, builtIn)) out[GATEWAY_IMAGE] = { command: builtIn.command };
  return out;
}

export async function startNodeAgent(o: StartNodeAgentOptions): Promise<NodeAgent> {
  const cp = o.controlPlane;
  const onError = o.onError ?? ((err: unknown) => { process.stderr.write(`node agent: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`); });
  const hostIp = cp.network.hostIp;
  const cleanups: (() => Promise<void> | void)[] = [];
  const stop = async (): Promise<void> => {
    for (const c of cleanups.splice(0).reverse()) {
      try {
        await c();
      } catch (err) {
        onError(err);
      }
    }
  };
  try {
    const network = await PodNetwork.start(cp.network);
    cleanups.push(() => network.stop());
    // The mount point of the token volume must exist on the host (an empty directory; pods bind their own over it).
    await mkdir(SERVICE_ACCOUNT_MOUNT_PATH, { recursive: true });
    const forwarder = await startApiserverForwarder({ listenHost: hostIp, listenPort: APISERVER_PORT_FOR_PODS, target: new URL(cp.server) });
    cleanups.push(() => forwarder.close());
    const clientCert = await cp.issueCertificate({ commonName: `system:node:${NODE_NAME}`, organizations: ['system:nodes'], usage: 'client' });
    const servingCert = await cp.issueCertificate({ commonName: NODE_NAME, dnsNames: [NODE_NAME], ipAddresses: [hostIp], usage: 'server' });
    const client = new ApiClient({ server: cp.server, caPem: cp.caPem, ...clientCert });
    cleanups.push(() => client.close());
    const holder: { kubelet?: Kubelet } = {};
    const logs = await startLogServer({
      host: hostIp, ...servingCert, caPem: cp.caPem, nodeName: NODE_NAME, client,
      find: (ns, pod, container) => holder.kubelet?.findLogs(ns, pod, container) ?? 'the node is starting',
    });
    cleanups.push(() => logs.close());
    const kubelet = new Kubelet({
      client, nodeName: NODE_NAME, network, kubeletPort: logs.port, apiserverForPods: { host: hostIp, port: APISERVER_PORT_FOR_PODS },
      caPem: cp.caPem, stateDir: join(cp.dir, 'node-agent'), images: buildPodImageMap(o.images), imageMapSource: o.imageMapSource,
      backoffMs: o.backoffMs ?? { base: 1000, max: 60_000 }, onError, ...(o.tokenRefreshMs === undefined ? {} : { tokenRefreshMs: o.tokenRefreshMs }),
    });
    holder.kubelet = kubelet;
    cleanups.push(() => kubelet.stop());
    await kubelet.start();
    return { nodeName: NODE_NAME, kubeletPort: logs.port, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
