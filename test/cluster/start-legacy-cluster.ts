// Composition root of our own (legacy) API server: kept only until every test runs on the real control plane (issue 11).
import { mkdir, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createCertificateAuthority, issueCertificate } from './tls/certificates.ts';
import { buildKubeconfig } from './kubeconfig.ts';
import { Store } from './store/store.ts';
import { ResourceRegistry } from './resources/registry.ts';
import { buildBuiltinTypes } from './resources/builtin-types.ts';
import { ApiService } from './server/api-service.ts';
import type { ResourceType } from './resources/resource-type.ts';
import { SYSTEM_MASTERS, type Pipeline, type UserInfo } from './server/pipeline.ts';
import { AccessControl } from './auth/access-control.ts';
import { buildBootstrapPolicy, type Attributes } from './auth/rbac.ts';
import { WebhookAdmission } from './admission/webhook-admission.ts';
import { ServiceAccountController } from './controllers/service-account-controller.ts';
import { FaultState } from './server/faults.ts';
import { createApiHttpServer, type ApiHttpServer, type HttpServerOptions } from './server/http-server.ts';
import { pageNotFound } from './api/status.ts';
import { GarbageCollector } from './controllers/garbage-collector.ts';
import { CrdController } from './controllers/crd-controller.ts';
import { NamespaceController } from './controllers/namespace-controller.ts';
import { DeploymentController } from './controllers/deployment-controller.ts';
import { ReplicaSetController } from './controllers/replicaset-controller.ts';
import { EndpointsController } from './controllers/endpoints-controller.ts';
import { NodeAgent } from './node/node-agent.ts';
import { defaultImageMap, loadImageMapFile, type ImageMap } from './node/image-map.ts';

export interface StartLegacyClusterOptions {
  /** State directory: kubeconfig, ca.crt are written here. */
  dir: string;
  /** 0 (default) picks a free port. */
  port?: number;
  /** How often open watches with allowWatchBookmarks get a BOOKMARK (default 60 s, like the apiserver). */
  bookmarkIntervalMs?: number;
  /** Watch history kept for resuming (events); older versions answer 410 Gone. */
  maxHistory?: number;
  /** Called with errors the built-in controllers hit (default: printed to stderr). */
  onControllerError?: (err: unknown) => void;
  /**
   * The node agent's image map: a YAML file path or the map itself (merged over the built-in gateway entry).
   * `false` turns the node agent off (pods stay Pending and are deleted at once, as before).
   */
  images?: string | ImageMap | false;
  /** Told about every request that RBAC refused: who, which verb, which resource (install tests name what is missing). */
  onAuthorizationDenied?: (attrs: Attributes) => void;
  /** Container restart back-off (default 1 s doubling up to 60 s). */
  restartBackoffMs?: { base: number; max: number };
}

export interface LegacyClusterFaults {
  /** Ends every open watch stream (clients see the stream close). */
  dropAllWatches(): void;
  /** Answers the next `n` API requests with 429 (Retry-After: 1) or 500. */
  failNext(n: number, code: 429 | 500): void;
  /** While on, watch connections stay open but receive nothing; what happened meanwhile is sent when turned off. */
  stallWatches(on: boolean): void;
  /** Forgets the watch history: watches and list continues from older versions get 410 Gone. */
  compactHistory(): void;
  /** Stops the HTTPS server (closing every connection) and starts it again on the same port, keeping all data. */
  restart(): Promise<void>;
  /** Number of currently open watch streams. */
  openWatches(): number;
}

export interface LegacyCluster {
  kubeconfigPath: string;
  kubeconfig: string;
  server: string;
  port: number;
  caPem: string;
  adminToken: string;
  faults: LegacyClusterFaults;
  /** Internal handle for in-process tests (the store and API service). */
  service: ApiService;
  /** A bound ServiceAccount token (what TokenRequest returns), for in-process callers such as a node agent. */
  serviceAccountToken(namespace: string, name: string, expirationSeconds?: number): string;
  /** Resolves once the built-in controllers have processed everything queued so far. */
  settled(): Promise<void>;
  stop(): Promise<void>;
}

const ADMIN: UserInfo = { username: 'kubernetes-admin', groups: [SYSTEM_MASTERS, 'system:authenticated'] };
const CONTROLLER: UserInfo = { username: 'system:kube-controller-manager', groups: [SYSTEM_MASTERS, 'system:authenticated'] };

export async function startLegacyCluster(options: StartLegacyClusterOptions): Promise<LegacyCluster> {
  await mkdir(options.dir, { recursive: true });
  const ca = await createCertificateAuthority({ commonName: 'tapr-local-ca' });
  const serving = await issueCertificate(ca, {
    commonName: 'kube-apiserver', dnsNames: ['localhost', 'kubernetes', 'kubernetes.default', 'kubernetes.default.svc'],
    ipAddresses: ['127.0.0.1'], usage: 'server',
  });
  const adminToken = randomBytes(24).toString('base64url');
  const tokens = new Map<string, UserInfo>([[adminToken, ADMIN]]);
  const store = new Store({ maxHistory: options.maxHistory ?? 2000 });
  const registry = new ResourceRegistry(buildBuiltinTypes());
  const access = new AccessControl({
    store, adminTokens: tokens, signingKey: randomBytes(32), ...(options.onAuthorizationDenied === undefined ? {} : { onDenied: options.onAuthorizationDenied }),
  });
  const pipeline: Pipeline = {
    authenticate: (token) => access.authenticate(token),
    authorize: (attrs) => access.authorize(attrs),
    authorizeNonResource: (user, verb, path) => access.authorizeNonResource(user, verb, path),
    mutating: [],
    validating: [],
  };
  const service = new ApiService({ store, registry, pipeline });
  const webhooks = new WebhookAdmission({
    store, registry,
    present: (type, obj) => service.present(type, obj),
    toStorage: (type, obj) => service.toStorage(type, obj),
  });
  pipeline.mutating.push(webhooks.mutating);
  pipeline.validating.push(webhooks.validating);
  const faults = new FaultState();
  const onError = options.onControllerError ?? ((err: unknown): void => { console.error('cluster controller error:', err); });
  const controllers = [
    new CrdController(service, CONTROLLER, onError), new GarbageCollector(service, CONTROLLER, onError), new NamespaceController(service, CONTROLLER, onError),
    new ServiceAccountController({ service, user: CONTROLLER, access, caPem: ca.certPem, onError }),
    new DeploymentController(service, CONTROLLER, onError), new ReplicaSetController(service, CONTROLLER, onError),
    new EndpointsController(service, CONTROLLER, onError),
  ];
  for (const c of controllers) c.start();
  await service.bootstrap(CONTROLLER);
  const policy = buildBootstrapPolicy();
  const rbacType = (resource: string): ResourceType => registry.find('rbac.authorization.k8s.io', 'v1', resource)!;
  for (const role of policy.clusterRoles) await service.create(rbacType('clusterroles'), undefined, role, { user: CONTROLLER });
  for (const binding of policy.clusterRoleBindings) await service.create(rbacType('clusterrolebindings'), undefined, binding, { user: CONTROLLER });

  let agent: NodeAgent | undefined;
  const httpOptions: HttpServerOptions = {
    service, faults, tls: serving, bookmarkIntervalMs: options.bookmarkIntervalMs ?? 60_000, access,
    podLogs: (namespace, name, query) => {
      if (agent === undefined) throw pageNotFound();
      return agent.logs(namespace, name, query);
    },
  };
  let http: ApiHttpServer = createApiHttpServer(httpOptions);
  const listen = async (port: number): Promise<number> => {
    await new Promise<void>((resolve, reject) => {
      http.server.once('error', reject);
      http.server.listen(port, '127.0.0.1', () => {
        http.server.off('error', reject);
        resolve();
      });
    });
    return (http.server.address() as AddressInfo).port;
  };
  const port = await listen(options.port ?? 0);
  const server = `https://127.0.0.1:${port}`;
  const kubeconfig = buildKubeconfig({ server, caPem: ca.certPem, token: adminToken });
  const kubeconfigPath = join(options.dir, 'kubeconfig');
  await writeFile(kubeconfigPath, kubeconfig, { mode: 0o600 });
  await writeFile(join(options.dir, 'ca.crt'), ca.certPem);
  if (options.images !== false) {
    const images = options.images;
    const extra = typeof images === 'string' ? loadImageMapFile(images) : images ?? {};
    agent = new NodeAgent({
      service, user: CONTROLLER, onError, images: { ...defaultImageMap(), ...extra },
      imageMapSource: typeof images === 'string' ? images : 'the built-in image map; pass --images <file>',
      dir: options.dir, server, caPem: ca.certPem,
      issueToken: (namespace, name) => {
        const sa = store.get('/serviceaccounts', namespace, name);
        if (sa === undefined) throw new Error(`serviceaccount "${name}" not found`);
        return access.issueToken(sa, { expirationSeconds: 24 * 3600 }).token;
      },
      ...(options.restartBackoffMs === undefined ? {} : { backoffMs: options.restartBackoffMs }),
    });
    agent.start();
  }

  let stopped = false;
  return {
    kubeconfigPath, kubeconfig, server, port, caPem: ca.certPem, adminToken, service,
    serviceAccountToken: (namespace, name, expirationSeconds) => {
      const sa = store.get('/serviceaccounts', namespace, name);
      if (sa === undefined) throw new Error(`serviceaccount ${namespace}/${name} does not exist`);
      return access.issueToken(sa, expirationSeconds === undefined ? {} : { expirationSeconds }).token;
    },
    faults: {
      dropAllWatches: () => faults.dropAllWatches(),
      failNext: (n, code) => faults.failNext(n, code),
      stallWatches: (on) => faults.stallWatches(on),
      compactHistory: () => store.compact(),
      restart: async () => {
        faults.dropAllWatches();
        await http.close();
        http = createApiHttpServer(httpOptions);
        await listen(port);
      },
      openWatches: () => faults.openWatches,
    },
    settled: async () => {
      for (let i = 0; i < 3; i++) for (const c of [...controllers, ...(agent === undefined ? [] : [agent])]) await c.idle();
    },
    stop: async () => {
      if (stopped) return;
      stopped = true;
      for (const c of controllers) c.stop();
      await agent?.shutdown();
      faults.dropAllWatches();
      webhooks.close();
      await http.close();
    },
  };
}
