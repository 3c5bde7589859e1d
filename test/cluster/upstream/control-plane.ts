// Starts the real control plane as child processes: certificates, etcd, kube-apiserver, kube-controller-manager,
// kube-scheduler, an admin kubeconfig; waits until it serves; stops it cleanly. Fault helpers for tests.
import { generateKeyPairSync } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { request as httpsRequest } from 'node:https';
import { request as httpRequest } from 'node:http';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createCertificateAuthority, issueCertificate, type IssueOptions, type IssuedCertificate } from '../tls/certificates.ts';
import { buildKubeconfig } from '../kubeconfig.ts';
import { ensureUpstream } from './build-upstream.ts';
import { buildClusterNetwork, type ClusterNetwork } from './cluster-network.ts';
import { isNetworkIndexHeld, leaseNetworkIndex } from './network-lease.ts';
import { createPodBridge, removeLeftoverBridges, removePodBridge } from './pod-bridge.ts';
import { startComponent, type ComponentProcess } from './component-process.ts';
import {
  buildApiserverArgs,
  buildControllerManagerArgs,
  buildEtcdArgs,
  buildSchedulerArgs,
  controlPlaneFiles,
  AUDIT_POLICY_YAML,
  FRONT_PROXY_CLIENT_NAME,
  type ControlPlaneLayout,
  type ControlPlanePorts,
} from './control-plane-flags.ts';

export interface StartControlPlaneOptions {
  /** State directory: certificates, kubeconfigs, etcd data, component logs. */
  readonly dir: string;
  /** The API server's port; 0 or absent picks a free one. */
  readonly apiserverPort?: number;
  /** Progress lines (the first run builds binaries for minutes); default: none. */
  readonly log?: (line: string) => void;
  /** Told when a component dies while the cluster runs (default: stderr). */
  readonly onComponentExit?: (message: string) => void;
  /**
   * Run kube-apiserver with an audit log at `<dir>/logs/audit.log` (policy: Metadata for every request, see
   * AUDIT_POLICY_YAML); `auditLogPath` then names it and audit-log.ts reads it (e.g. the 403s). Default false.
   */
  readonly auditLog?: boolean;
}

export interface ControlPlane {
  readonly dir: string;
  /** https://127.0.0.1:<port> of kube-apiserver. */
  readonly server: string;
  readonly apiserverPort: number;
  readonly caPem: string;
  readonly network: ClusterNetwork;
  /** The admin (system:masters, client certificate) kubeconfig, as a file and as text. */
  readonly kubeconfigPath: string;
  readonly kubeconfig: string;
  /** Where the upstream binaries are (kubectl included), for tests that run them. */
  readonly binaries: Readonly<Record<string, string>>;
  readonly version: string;
  /** The API server's audit log (JSON lines), when started with `auditLog`. */
  readonly auditLogPath?: string;
  issueCertificate(options: IssueOptions): Promise<IssuedCertificate>;
  /** The certificate the apiserver accepts X-Remote-User/-Group from (the fault proxy uses it). */
  readonly frontProxyClient: IssuedCertificate;
  /** A client-certificate kubeconfig (YAML) for any user and groups, signed by the cluster CA. */
  kubeconfigFor(user: string, groups: readonly string[], server?: string): Promise<string>;
  /** Stops kube-apiserver and starts it again on the same port; etcd keeps every object. */
  restartApiserver(): Promise<void>;
  /** Compacts etcd to its current revision: watches and list continues from older resourceVersions get 410 Gone. */
  compactEtcd(): Promise<void>;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

interface Pki {
  readonly ca: Awaited<ReturnType<typeof createCertificateAuthority>>;
  readonly admin: IssuedCertificate;
  readonly frontProxyClient: IssuedCertificate;
}

async function writePki(layout: ControlPlaneLayout): Promise<Pki> {
  const files = controlPlaneFiles(layout.dir);
  await mkdir(files.pki, { recursive: true, mode: 0o700 });
  const ca = await createCertificateAuthority({ commonName: 'tapr-local-ca' });
  const frontProxyCa = await createCertificateAuthority({ commonName: 'tapr-local-front-proxy-ca' });
  const serving = await issueCertificate(ca, {
    commonName: 'kube-apiserver',
    dnsNames: ['localhost', 'kubernetes', 'kubernetes.default', 'kubernetes.default.svc', 'kubernetes.default.svc.cluster.local'],
    ipAddresses: ['127.0.0.1', layout.network.hostIp, layout.network.kubernetesServiceIp],
    usage: 'server',
  });
  const kubeletClient = await issueCertificate(ca, {
    commonName: 'kube-apiserver-kubelet-client', organizations: ['system:masters'], usage: 'client',
  });
  const frontProxyClient = await issueCertificate(frontProxyCa, { commonName: FRONT_PROXY_CLIENT_NAME, usage: 'client' });
  const admin = await issueCertificate(ca, { commonName: 'kubernetes-admin', organizations: ['system:masters'], usage: 'client' });
  const serviceAccount = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  const secret = { mode: 0o600 } as const;
  await Promise.all([
    writeFile(files.caCert, ca.certPem),
    writeFile(files.caKey, ca.keyPem, secret),
    writeFile(files.apiserverCert, serving.certPem),
    writeFile(files.apiserverKey, serving.keyPem, secret),
    writeFile(files.kubeletClientCert, kubeletClient.certPem),
    writeFile(files.kubeletClientKey, kubeletClient.keyPem, secret),
    writeFile(files.frontProxyCaCert, frontProxyCa.certPem),
    writeFile(files.frontProxyClientCert, frontProxyClient.certPem),
    writeFile(files.frontProxyClientKey, frontProxyClient.keyPem, secret),
    writeFile(files.serviceAccountKey, serviceAccount.privateKey, secret),
    writeFile(files.serviceAccountPub, serviceAccount.publicKey),
  ]);
  return { ca, admin, frontProxyClient };
}

interface ProbeResult {
  readonly status: number;
  readonly body: string;
}

/** One GET; never throws (a refused connection is status 0). */
function probe(url: string, tls?: { caPem?: string; cert?: IssuedCertificate; insecure?: boolean }): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const target = new URL(url);
    const done = (result: ProbeResult): void => resolve(result);
    const options = {
      host: target.hostname, port: target.port, path: `${target.pathname}${target.search}`, method: 'GET', timeout: 5000,
      ...(tls?.caPem === undefined ? {} : { ca: tls.caPem }),
      ...(tls?.cert === undefined ? {} : { cert: tls.cert.certPem, key: tls.cert.keyPem }),
      ...(tls?.insecure === true ? { rejectUnauthorized: false } : {}),
    };
    const req = (target.protocol === 'https:' ? httpsRequest : httpRequest)(options, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => { body += chunk; });
      res.on('end', () => done({ status: res.statusCode ?? 0, body }));
      res.on('error', () => done({ status: 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (error) => done({ status: 0, body: error.message }));
    req.end();
  });
}

async function waitFor(what: string, component: ComponentProcess | undefined, check: () => Promise<boolean>, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (component?.exited !== undefined) {
      throw new Error(`${component.name} exited while waiting for ${what}:\n${await component.logTail()}`);
    }
    if (Date.now() > deadline) {
      const tail = component === undefined ? '' : `\nlast lines of ${component.logPath}:\n${await component.logTail()}`;
      throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}${tail}`);
    }
    await sleep(200);
  }
}

export async function startControlPlane(options: StartControlPlaneOptions): Promise<ControlPlane> {
  const log = options.log ?? (() => {});
  const onComponentExit = options.onComponentExit ?? ((message: string) => process.stderr.write(`cluster: ${message}\n`));
  const [kubernetes, etcd] = [await ensureUpstream('kubernetes', { log }), await ensureUpstream('etcd', { log })];
  const lease = await leaseNetworkIndex();
  const network = buildClusterNetwork(lease.index);
  const components: ComponentProcess[] = [];
  let apiserver: ComponentProcess | undefined;
  const stopAll = async (): Promise<void> => {
    for (const component of [...components].reverse()) await component.stop();
    components.length = 0;
    await removePodBridge(network);
    await lease.release();
  };
  try {
    // The host end of the pod network exists from the start: webhooks and pods' API traffic use the host IP.
    await createPodBridge(network);
    await removeLeftoverBridges(async (index) => index === network.index || (await isNetworkIndexHeld(index)));
    const requestedPort = options.apiserverPort ?? 0;
    const ports: { -readonly [K in keyof ControlPlanePorts]: number } = {
      etcdClient: await freePort(),
      etcdPeer: await freePort(),
      apiserver: requestedPort === 0 ? await freePort() : requestedPort,
      controllerManager: await freePort(),
      scheduler: await freePort(),
    };
    const auditLog = options.auditLog === true;
    const layout = (): ControlPlaneLayout => ({ dir: options.dir, ports: { ...ports }, network, auditLog });
    const files = controlPlaneFiles(options.dir);
    await mkdir(files.logs, { recursive: true });
    if (auditLog) await writeFile(files.auditPolicy, AUDIT_POLICY_YAML);
    const pki = await writePki(layout());
    const bin = { ...kubernetes.binaries, ...etcd.binaries };
    const start = (name: string, args: string[]): ComponentProcess => {
      const component = startComponent({
        name, binary: bin[name] ?? name, args, logPath: join(files.logs, `${name}.log`), onUnexpectedExit: onComponentExit,
      });
      components.push(component);
      return component;
    };
    /**
     * Starts a component and waits until it is ready. Free ports are picked before a component binds them, so another
     * process may take one first: then the component is started again on new ones (`reselect`).
     */
    const startListening = async (
      name: string, args: () => string[], reselect: readonly (keyof ControlPlanePorts)[], ready: (component: ComponentProcess) => Promise<void>,
    ): Promise<ComponentProcess> => {
      for (let attempt = 1; ; attempt++) {
        const component = start(name, args());
        try {
          await ready(component);
          return component;
        } catch (error) {
          const lostPortRace = component.exited !== undefined && /address already in use/.test(await component.logTail(40));
          if (!lostPortRace || reselect.length === 0 || attempt >= 5) throw error;
          components.splice(components.indexOf(component), 1);
          await component.stop();
          for (const key of reselect) ports[key] = await freePort();
          log(`cluster: ${name} lost a race for its port; starting it again on another`);
        }
      }
    };
    const apiserverUrl = (): string => `https://127.0.0.1:${ports.apiserver}`;
    const adminProbe = (path: string): Promise<ProbeResult> => probe(`${apiserverUrl()}${path}`, { caPem: pki.ca.certPem, cert: pki.admin });

    log('cluster: starting etcd');
    await startListening('etcd', () => buildEtcdArgs(layout()), ['etcdClient', 'etcdPeer'], (component) =>
      waitFor('etcd /health', component, async () => (await probe(`http://127.0.0.1:${ports.etcdClient}/health`)).status === 200));

    const startApiserver = (reselect: readonly (keyof ControlPlanePorts)[]): Promise<ComponentProcess> =>
      startListening('kube-apiserver', () => buildApiserverArgs(layout()), reselect, (component) =>
        waitFor('kube-apiserver /readyz', component, async () => (await adminProbe('/readyz')).status === 200));
    log('cluster: starting kube-apiserver');
    apiserver = await startApiserver(requestedPort === 0 ? ['apiserver'] : []);

    const server = apiserverUrl();
    const kubeconfigFor = async (user: string, groups: readonly string[], serverUrl = server): Promise<string> => {
      const cert = await issueCertificate(pki.ca, { commonName: user, organizations: [...groups], usage: 'client' });
      return buildKubeconfig({ server: serverUrl, caPem: pki.ca.certPem, clientCertificate: cert, userName: user });
    };
    const kubeconfig = buildKubeconfig({ server, caPem: pki.ca.certPem, clientCertificate: pki.admin, userName: 'kubernetes-admin' });
    await writeFile(files.adminKubeconfig, kubeconfig, { mode: 0o600 });
    await writeFile(files.controllerManagerKubeconfig, await kubeconfigFor('system:kube-controller-manager', []), { mode: 0o600 });
    await writeFile(files.schedulerKubeconfig, await kubeconfigFor('system:kube-scheduler', []), { mode: 0o600 });

    log('cluster: starting kube-controller-manager and kube-scheduler');
    const healthy = (key: 'controllerManager' | 'scheduler') => async (): Promise<boolean> =>
      (await probe(`https://127.0.0.1:${ports[key]}/healthz`, { insecure: true })).status === 200;
    const controllerManager = await startListening('kube-controller-manager', () => buildControllerManagerArgs(layout()), ['controllerManager'],
      (component) => waitFor('kube-controller-manager /healthz', component, healthy('controllerManager')));
    await startListening('kube-scheduler', () => buildSchedulerArgs(layout()), ['scheduler'],
      (component) => waitFor('kube-scheduler /healthz', component, healthy('scheduler')));
    // Pods need their namespace's `default` ServiceAccount: the cluster is ready for tests once the controllers made it.
    await waitFor('the default ServiceAccount', controllerManager, async () =>
      (await adminProbe('/api/v1/namespaces/default/serviceaccounts/default')).status === 200);

    let stopped = false;
    return {
      dir: options.dir,
      server,
      apiserverPort: ports.apiserver,
      caPem: pki.ca.certPem,
      network,
      kubeconfigPath: files.adminKubeconfig,
      kubeconfig,
      binaries: bin,
      version: kubernetes.version,
      ...(auditLog ? { auditLogPath: files.auditLog } : {}),
      issueCertificate: (issue) => issueCertificate(pki.ca, issue),
      frontProxyClient: pki.frontProxyClient,
      kubeconfigFor,
      restartApiserver: async () => {
        const old = apiserver;
        if (old !== undefined) {
          await old.stop();
          components.splice(components.indexOf(old), 1);
        }
        // Same port: clients (and kubeconfigs) keep their address.
        apiserver = await startApiserver([]);
      },
      compactEtcd: () => compactEtcd(ports.etcdClient),
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

/** etcd's JSON gateway: read the current revision, then compact (physically) up to it. */
async function compactEtcd(port: number): Promise<void> {
  const call = (path: string, body: unknown): Promise<Record<string, unknown>> =>
    new Promise((resolve, reject) => {
      const payload = JSON.stringify(body);
      const req = httpRequest({ host: '127.0.0.1', port, path, method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => { text += chunk; });
        res.on('end', () => {
          if (res.statusCode !== 200) reject(new Error(`etcd ${path} answered ${res.statusCode}: ${text}`));
          else resolve(JSON.parse(text) as Record<string, unknown>);
        });
      });
      req.on('error', reject);
      req.end(payload);
    });
  const range = await call('/v3/kv/range', { key: Buffer.from('/').toString('base64'), limit: 1 });
  const revision = (range['header'] as { revision?: string } | undefined)?.revision;
  if (revision === undefined) throw new Error('etcd did not report its revision');
  await call('/v3/kv/compaction', { revision, physical: true });
}
