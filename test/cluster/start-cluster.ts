// Composition root of the local Kubernetes for tests and `npm run cluster`: the real control plane (etcd, kube-apiserver,
// kube-controller-manager, kube-scheduler), the node agent that runs pods, and for tests the fault proxy in front of it.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { buildKubeconfig } from './kubeconfig.ts';
import { startControlPlane, type ControlPlane } from './upstream/control-plane.ts';
import { startFaultProxy, type ClusterFaults as ProxyFaults, type FaultProxy } from './upstream/fault-proxy.ts';
import { startNodeAgent, type NodeAgent } from './node/start-node-agent.ts';
import { defaultImageMap, loadImageMapFile, type ImageMap } from './node/image-map.ts';

export interface StartClusterOptions {
  /** State directory: kubeconfigs, certificates, etcd data and component logs are written here. */
  dir: string;
  /** The API server's port (0 or absent: a free one). */
  port?: number;
  /**
   * Put the fault proxy between clients and the API server (default true): `kubeconfig` then points at the proxy and
   * `faults` can fail requests and cut or stall watches. `npm run cluster` runs without it.
   */
  faultProxy?: boolean;
  /** Progress lines (the first run builds the binaries); default: none. */
  log?: (line: string) => void;
  /**
   * The node agent's image map: a YAML file path or the map itself (merged over the built-in gateway and operator
   * entries). `false` runs no node agent: pods are created and stay Pending, as on a cluster without nodes.
   */
  images?: string | ImageMap | false;
  /** Container restart back-off (default 1 s doubling up to 60 s, as the kubelet's). */
  restartBackoffMs?: { base: number; max: number };
  /** Run kube-apiserver with an audit log (`controlPlane.auditLogPath`; upstream/audit-log.ts reads it). Default false. */
  auditLog?: boolean;
  /** Errors the node agent hits (default: stderr). */
  onNodeAgentError?: (err: unknown) => void;
}

export interface ClusterFaults extends ProxyFaults {
  /** Compacts etcd and restarts kube-apiserver (its watch cache starts afresh): older resourceVersions get 410 Gone. */
  compactHistory(): Promise<void>;
  /** Stops kube-apiserver and starts it again on the same port; etcd keeps every object. */
  restart(): Promise<void>;
}

export interface Cluster {
  /** The admin kubeconfig tests use (through the fault proxy unless it is off). */
  kubeconfigPath: string;
  kubeconfig: string;
  server: string;
  port: number;
  caPem: string;
  controlPlane: ControlPlane;
  faults: ClusterFaults;
  /** A bound ServiceAccount token from the TokenRequest API (default lifetime one hour). */
  serviceAccountToken(namespace: string, name: string, expirationSeconds?: number): Promise<string>;
  /** Runs the cluster's own kubectl (the same release as the server) with the admin kubeconfig. */
  kubectl(args: readonly string[], input?: string): Promise<{ stdout: string; stderr: string }>;
  stop(): Promise<void>;
}

const NO_PROXY_FAULTS: ProxyFaults = {
  dropAllWatches: () => { throw new Error('this cluster runs without the fault proxy (faultProxy: false)'); },
  failNext: () => { throw new Error('this cluster runs without the fault proxy (faultProxy: false)'); },
  stallWatches: () => { throw new Error('this cluster runs without the fault proxy (faultProxy: false)'); },
  openWatches: () => 0,
};

export async function startCluster(options: StartClusterOptions): Promise<Cluster> {
  const controlPlane = await startControlPlane({
    dir: options.dir, ...(options.auditLog === true ? { auditLog: true } : {}), ...(options.port === undefined ? {} : { apiserverPort: options.port }), ...(options.log === undefined ? {} : { log: options.log }),
  });
  let proxy: FaultProxy | undefined;
  let agent: NodeAgent | undefined;
  const stopAll = async (): Promise<void> => {
    await agent?.stop();
    await proxy?.close();
    await controlPlane.stop();
  };
  try {
    if (options.images !== false) {
      const images = options.images;
      agent = await startNodeAgent({
        controlPlane,
        images: { ...defaultImageMap(), ...(typeof images === 'string' ? loadImageMapFile(images) : images ?? {}) },
        imageMapSource: typeof images === 'string' ? images : 'the built-in image map; pass --images <file>',
        ...(options.restartBackoffMs === undefined ? {} : { backoffMs: options.restartBackoffMs }),
        ...(options.onNodeAgentError === undefined ? {} : { onError: options.onNodeAgentError }),
      });
    }
    let kubeconfigPath = controlPlane.kubeconfigPath;
    let kubeconfig = controlPlane.kubeconfig;
    let server = controlPlane.server;
    if (options.faultProxy !== false) {
      proxy = await startFaultProxy({
        upstreamPort: controlPlane.apiserverPort,
        caPem: controlPlane.caPem,
        serving: await controlPlane.issueCertificate({ commonName: 'tapr-fault-proxy', ipAddresses: ['127.0.0.1'], dnsNames: ['localhost'], usage: 'server' }),
        frontProxyClient: controlPlane.frontProxyClient,
      });
      server = proxy.url;
      const admin = await controlPlane.issueCertificate({ commonName: 'kubernetes-admin', organizations: ['system:masters'], usage: 'client' });
      kubeconfig = buildKubeconfig({ server, caPem: controlPlane.caPem, clientCertificate: admin, userName: 'kubernetes-admin' });
      kubeconfigPath = join(options.dir, 'kubeconfig-via-fault-proxy');
      await writeFile(kubeconfigPath, kubeconfig, { mode: 0o600 });
    }
    const proxyFaults = proxy?.faults ?? NO_PROXY_FAULTS;
    const kubectl = (args: readonly string[], input?: string): Promise<{ stdout: string; stderr: string }> =>
      new Promise((resolve, reject) => {
        const child = execFile(
          controlPlane.binaries['kubectl'] ?? 'kubectl', [...args],
          { env: { ...process.env, KUBECONFIG: kubeconfigPath }, maxBuffer: 64 * 1024 * 1024 },
          (error, stdout, stderr) => {
            if (error) reject(new Error(`kubectl ${args.join(' ')} failed (exit ${String(error.code)}): ${`${stdout}${stderr}`.trim() || error.message}`, { cause: error }));
            else resolve({ stdout, stderr });
          },
        );
        if (input !== undefined) child.stdin?.end(input);
      });
    let stopped = false;
    return {
      kubeconfigPath, kubeconfig, server, port: Number(new URL(server).port), caPem: controlPlane.caPem, controlPlane,
      faults: {
        ...proxyFaults,
        compactHistory: async () => {
          await controlPlane.compactEtcd();
          await controlPlane.restartApiserver();
        },
        restart: () => controlPlane.restartApiserver(),
      },
      serviceAccountToken: async (namespace, name, expirationSeconds) => {
        const duration = expirationSeconds === undefined ? [] : [`--duration=${expirationSeconds}s`];
        const { stdout } = await kubectl(['create', 'token', name, '-n', namespace, ...duration]);
        return stdout.trim();
      },
      kubectl,
      stop: async () => {
        if (stopped) return;
        stopped = true;
        await stopAll();
      },
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
