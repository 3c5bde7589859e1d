// startOperator: the operator's parts wired in named steps and started in order; only the leader reconciles and samples.
import { randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import type { KubeConnection } from './kube/cluster-connection.ts';
import { createApiClient, type KubeClient } from './kube/api-client.ts';
import { createInformers, type Informers } from './controller/informers.ts';
import { WorkQueue, type ReconcileResult } from './controller/work-queue.ts';
import { createGatewayReconciler } from './controller/reconcile-gateway.ts';
import { createRedisSecretCopier } from './controller/redis-secret-copier.ts';
import { createEventRecorder } from './controller/event-recorder.ts';
import { findManifest } from './manifest/find-manifest.ts';
import type { GatewaySettings } from './injection/gateway-settings.ts';
import { CertificateManager, type CertificateManagerOptions } from './webhook/certificate-manager.ts';
import type { CertificateSource } from './webhook/certificate-source.ts';
import { FileCertificateSource } from './webhook/file-certificate-source.ts';
import { createOutdatedRestarter } from './controller/outdated-restarter.ts';
import { startWebhookServer, type WebhookServer } from './webhook/webhook-server.ts';
import type { AdmissionContext, AdmissionOutcome } from './webhook/admission.ts';
import { WEBHOOK_PATH, type ClientConfig } from './webhook/webhook-configuration.ts';
import { keysForEvent } from './controller/event-keys.ts';
import { objectKey } from './kube/objects.ts';
import { createLeaderElector, type LeaderElectionConfig, type LeaderElector } from './leader/leader-elector.ts';
import { createSampler, type Sampler } from './status/sampler.ts';
import type { NetworkPolicyPeer } from './controller/network-policy.ts';
import { selectSampleTargets } from './status/sampler-targets.ts';

export type WebhookExposure =
  /** Out of cluster: the API server calls https://<host>:<port>/mutate-pods directly; the certificate is for that IP. */
  | { kind: 'url'; host: string; port: number }
  /** In cluster: through a Service in the operator's namespace. */
  | { kind: 'service'; host: string; port: number; serviceName: string; servicePort: number };

export interface OperatorOptions {
  /** Server, TLS and credentials (kube/cluster-connection.ts). */
  kubeconfig: KubeConnection;
  /** `all` (default): cluster-wide watches; a list: only these namespaces are watched (and injected, via the webhook's namespaceSelector). */
  watchNamespaces?: 'all' | readonly string[];
  /** The operator's namespace: its Secret lives here, and no pod here is injected. */
  namespace: string;
  settings: GatewaySettings;
  nativeSidecars: boolean;
  webhook: WebhookExposure;
  /**
   * Where the serving certificate comes from. `self-managed` (default): the operator's CA and certificate in a Secret,
   * caBundle written into its MutatingWebhookConfiguration. `cert-manager`: tls.crt/tls.key read from `certDir` (a
   * mounted cert-manager Secret) and polled for changes; the operator writes no Secret and no webhook configuration.
   */
  webhookTls?: { mode: 'self-managed' } | { mode: 'cert-manager'; certDir: string; pollIntervalMs?: number };
  /** Restart pods whose injected gateway config is outdated, one Deployment at a time (leader only; default false). */
  restartOutdated?: boolean;
  webhookConfigurationName?: string;
  secretName?: string;
  certificatePolicy?: CertificateManagerOptions['policy'];
  certificateCheckIntervalMs?: number;
  /** concurrency: Deployment keys reconciled at the same time (default 4, --reconcile-concurrency). */
  queue?: { concurrency?: number; baseDelayMs?: number; maxDelayMs?: number };
  /** Per app, a NetworkPolicy `<deployment>-ws` admitting port 40010 only from these peers (leader only; default none). */
  gatewayNetworkPolicy?: { from: readonly NetworkPolicyPeer[] };
  informerBackoff?: { initialMs: number; maxMs: number };
  syncTimeoutMs?: number;
  /**
   * Lease-based leader election (SPEC B5). `false` (the default) means this replica always leads: right for a single
   * replica and for tests; run several replicas only with a Lease.
   */
  leaderElection?: (LeaderElectionConfig & { renewDeadlineMs?: number; retryPeriodMs?: number }) | false;
  /** How often the leader samples every gateway's /stats (default 10 s). */
  sampleIntervalMs?: number;
  /** Per-request /stats timeout (default 1 s) and requests at a time (default 16). */
  sampleTimeoutMs?: number;
  sampleConcurrency?: number;
  log?: (entry: Record<string, unknown>) => void;
}

export interface RunningOperator {
  informers: Informers;
  queue: WorkQueue;
  webhook: WebhookServer;
  certificates: CertificateSource;
  sampler: Sampler;
  /** Undefined without leader election. */
  leaderElector: LeaderElector | undefined;
  /** Whether this replica reconciles now: it holds the Lease and has sampled once (without election: from the start). */
  isLeader(): boolean;
  /** Counters for tests and, later, /metrics. */
  counters: { reconciles: number; reconcileErrors: number; admissions: number; injections: number; outdatedRestarts: number };
  /** For /readyz: every cache synced and a serving certificate loaded. */
  isReady(): boolean;
  /** Idempotent: releases the Lease when leading, then stops everything. */
  stop(): Promise<void>;
}

/** A leader that regains its Lease within this long of losing it keeps its queue and samples and reconciles at once. */
export const REGAIN_WITHOUT_SAMPLING_MS = 60_000;

/** The default of --reconcile-concurrency (the work queue's own default is 2). */
export const DEFAULT_RECONCILE_CONCURRENCY = 4;

export async function startOperator(options: OperatorOptions): Promise<RunningOperator> {
  const log = options.log ?? (() => {});
  const api = createApiClient(options.kubeconfig);
  const counters: Counters = { reconciles: 0, reconcileErrors: 0, admissions: 0, injections: 0, outdatedRestarts: 0 };
  const queue = createReconcileQueue(options, counters, log);
  const leadership = createLeadership(options.leaderElection ?? false);
  // With leader election nothing is reconciled before the Lease is ours.
  if (!leadership.leading) queue.pause();
  const informers = createOperatorInformers(options, api, queue, leadership, log);
  const sampler = createStatusSampler(options, informers, queue, log);
  const reconcile = createLeaderReconcile(options, api, informers, sampler, queue, leadership, counters, log);
  const firstRoundWaitMs = firstSamplingWaitMs(options);
  const leaderElector = createElection(options, api, informers, sampler, queue, leadership, firstRoundWaitMs, log);
  // Listening first gives the port (for a URL to ourselves); handshakes wait for the certificate below.
  const webhook = await startWebhookServer({
    host: options.webhook.host,
    port: options.webhook.port,
    context: () => admissionContext(options, informers),
    onAdmission: (outcome, durationMs) => countAdmission(counters, log, outcome, durationMs),
  });
  const certificates = createCertificateSource(options, api, webhook, log);
  try {
    await startInOrder({ informers, sampler, certificates, queue, leaderElector, reconcile, firstRoundWaitMs, syncTimeoutMs: options.syncTimeoutMs ?? 30_000 });
  } catch (error) {
    await Promise.all([informers.stop(), queue.shutDown(), certificates.stop(), webhook.close(), sampler.stop()]);
    api.close();
    throw error;
  }
  return runningOperator({ api, informers, queue, webhook, certificates, counters, sampler, leaderElector, leadership });
}

type Counters = RunningOperator['counters'];
type Log = (entry: Record<string, unknown>) => void;
type Election = NonNullable<OperatorOptions['leaderElection']>;

/** Where this replica stands: whether it reconciles now, whether it ever led, when it last lost the Lease, its term. */
interface Leadership {
  leading: boolean;
  ledBefore: boolean;
  lostLeadershipAt: number | undefined;
  term: number;
}

/** Without election this replica leads from the start. */
function createLeadership(election: Election): Leadership {
  return { leading: election === false, ledBefore: false, lostLeadershipAt: undefined, term: 0 };
}

/** The keyed queue of Deployment keys; counts every result and logs the failed ones. */
function createReconcileQueue(options: OperatorOptions, counters: Counters, log: Log): WorkQueue {
  return new WorkQueue({
    concurrency: DEFAULT_RECONCILE_CONCURRENCY,
    ...options.queue,
    onResult: (key, result, durationMs) => {
      counters.reconciles += 1;
      if (result.kind === 'retry' || result.kind === 'terminal') {
        counters.reconcileErrors += 1;
        log({ level: 'warn', msg: 'reconcile failed', key, result: result.kind, error: describe(result), durationMs });
      }
    },
  });
}

function createOperatorInformers(options: OperatorOptions, api: KubeClient, queue: WorkQueue, leadership: Leadership, log: Log): Informers {
  return createInformers({
    api,
    watch: api.watch,
    namespaces: options.watchNamespaces ?? 'all',
    // A replica that never led keeps its caches (for the webhook) but queues nothing (it enqueues everything once it
    // leads); one that led and lost the Lease keeps queueing into its paused queue, so regaining it loses nothing.
    enqueue: (key) => {
      if (leadership.leading || leadership.ledBefore) queue.add(key);
    },
    onError: (informer, error) => log({ level: 'warn', msg: 'watch restarting', informer, error: error.message }),
    networkPolicies: options.gatewayNetworkPolicy !== undefined,
    ...(options.informerBackoff === undefined ? {} : { backoff: options.informerBackoff }),
  });
}

/** Samples every running gateway's /stats; a pod whose sample changed queues its Deployments. */
function createStatusSampler(options: OperatorOptions, informers: Informers, queue: WorkQueue, log: Log): Sampler {
  return createSampler({
    targets: () => selectSampleTargets(informers.pods.list()),
    onChange: (namespace, podName) => {
      const pod = informers.pods.get(namespace, podName);
      if (pod === undefined) return;
      for (const key of keysForEvent('Pod', [pod], (ns) => informers.deploymentsIn(ns))) queue.add(key);
    },
    onError: (error) => log({ level: 'warn', msg: 'sampling round failed', error: String(error) }),
    ...(options.sampleIntervalMs === undefined ? {} : { intervalMs: options.sampleIntervalMs }),
    ...(options.sampleTimeoutMs === undefined ? {} : { timeoutMs: options.sampleTimeoutMs }),
    ...(options.sampleConcurrency === undefined ? {} : { concurrency: options.sampleConcurrency }),
  });
}

/**
 * The reconciler with its optional parts (Events, outdated-pod restarts, Redis Secret copies), behind the leadership
 * gate: a key taken just as leadership ended goes back into the (now paused) queue for the next term.
 */
function createLeaderReconcile(
  options: OperatorOptions, api: KubeClient, informers: Informers, sampler: Sampler, queue: WorkQueue, leadership: Leadership, counters: Counters, log: Log,
): (key: string) => Promise<ReconcileResult> {
  const instance = `${options.namespace}-${randomBytes(3).toString('hex')}`;
  const recordEvent = createEventRecorder({ api, instance, onError: (error) => log({ level: 'warn', msg: error.message }) });
  const restartOutdated = options.restartOutdated === true
    ? createOutdatedRestarter({
      api,
      deployments: informers.deployments,
      recordEvent,
      onRestart: (key, decision) => {
        counters.outdatedRestarts += 1;
        log({ level: 'info', msg: 'restarting pods with an outdated gateway config', key, configHash: decision.expectedHash, pods: decision.outdatedPods });
      },
    })
    : undefined;
  // With the Redis URL read from a Secret in the pods' own namespace, the leader keeps a copy there.
  const redis = options.settings.redis;
  const redisSecretCopier = redis?.secretRef === undefined ? undefined : createRedisSecretCopier({
    api, operatorNamespace: options.namespace, source: { name: redis.secretRef.name, key: redis.secretRef.key, url: redis.url }, log,
  });
  const reconcileAsLeader = createGatewayReconciler({
    caches: {
      deployments: informers.deployments, pods: informers.pods, configMaps: informers.configMaps, gateways: informers.gateways, services: informers.services,
      ...(informers.networkPolicies === undefined ? {} : { networkPolicies: informers.networkPolicies }),
    },
    ...(options.gatewayNetworkPolicy === undefined ? {} : { networkPolicy: options.gatewayNetworkPolicy }),
    api,
    settings: options.settings,
    recordEvent,
    sampleOf: (namespace, podName) => sampler.sampleOf(namespace, podName),
    ...(restartOutdated === undefined ? {} : { restartOutdated }),
    ...(redisSecretCopier === undefined ? {} : { redisSecretCopier }),
  });
  return async (key) => {
    if (leadership.leading) return await reconcileAsLeader(key);
    if (leadership.ledBefore) queue.add(key);
    return { kind: 'ok' };
  };
}

/**
 * A new leader samples once before it reconciles, so its first status writes carry samples (no Ready flip to
 * "not sampled yet" on every restart or handover); a round that takes longer is not waited for past this bound.
 */
export function firstSamplingWaitMs(options: Pick<OperatorOptions, 'sampleTimeoutMs'>): number {
  return 3 * (options.sampleTimeoutMs ?? 1000);
}

/**
 * Regained soon after losing it (a slow API server, F15): the kept queue and samples are current enough, so it
 * reconciles at once while a new round runs. A new leader samples first.
 */
export function resumesWithoutSampling(leadership: Pick<Leadership, 'ledBefore' | 'lostLeadershipAt'>, nowMs: number): boolean {
  return leadership.ledBefore && leadership.lostLeadershipAt !== undefined && nowMs - leadership.lostLeadershipAt <= REGAIN_WITHOUT_SAMPLING_MS;
}

/** The Lease loop (undefined without election): leading starts sampling, then resumes the queue with every Deployment. */
function createElection(
  options: OperatorOptions, api: KubeClient, informers: Informers, sampler: Sampler, queue: WorkQueue, leadership: Leadership, firstRoundWaitMs: number, log: Log,
): LeaderElector | undefined {
  const election = options.leaderElection ?? false;
  if (election === false) return undefined;
  return createLeaderElector({
    api,
    ...election,
    log,
    onStartedLeading: () => {
      const thisTerm = ++leadership.term;
      sampler.start();
      const begin = (): void => {
        if (leadership.term !== thisTerm) return;
        leadership.leading = true;
        leadership.ledBefore = true;
        queue.resume();
        for (const deployment of informers.deployments.list()) queue.add(objectKey(deployment.metadata.namespace, deployment.metadata.name));
      };
      if (resumesWithoutSampling(leadership, Date.now())) begin();
      else void sampler.waitForFirstRound(firstRoundWaitMs).then(begin);
    },
    onStoppedLeading: () => {
      leadership.term += 1;
      leadership.leading = false;
      leadership.lostLeadershipAt = Date.now();
      queue.pause();
      void sampler.stop({ keepSamples: true });
    },
  });
}

/** The names the webhook's serving certificate must cover: the URL's host, or the Service's cluster names. */
export function webhookCertificateNames(exposure: WebhookExposure, namespace: string): { dnsNames: string[]; ipAddresses: string[] } {
  if (exposure.kind === 'url') return isIP(exposure.host) === 0 ? { dnsNames: [exposure.host], ipAddresses: [] } : { dnsNames: [], ipAddresses: [exposure.host] };
  return { dnsNames: [`${exposure.serviceName}.${namespace}.svc`, `${exposure.serviceName}.${namespace}.svc.cluster.local`], ipAddresses: [] };
}

/** How the API server reaches the webhook: the listening URL, or the Service in the operator's namespace. */
export function webhookClientConfig(exposure: WebhookExposure, namespace: string, url: string): ClientConfig {
  return exposure.kind === 'url'
    ? { url }
    : { service: { name: exposure.serviceName, namespace, path: WEBHOOK_PATH, port: exposure.servicePort } };
}

/** cert-manager mode: the mounted files; self-managed: our own CA, Secret and webhook configuration. Both load into `webhook`. */
function createCertificateSource(options: OperatorOptions, api: KubeClient, webhook: WebhookServer, log: Log): CertificateSource {
  const names = webhookCertificateNames(options.webhook, options.namespace);
  const tls = options.webhookTls ?? { mode: 'self-managed' };
  if (tls.mode === 'cert-manager') {
    return new FileCertificateSource({
      dir: tls.certDir,
      // Only the name the API server calls is checked (the chart's Certificate need not list the .cluster.local form).
      names: { dnsNames: names.dnsNames.slice(0, 1), ipAddresses: names.ipAddresses },
      ...(tls.pollIntervalMs === undefined ? {} : { pollIntervalMs: tls.pollIntervalMs }),
      onCertificate: (certificate, details) => {
        webhook.setCertificate(certificate);
        log({ level: 'info', msg: 'webhook certificate loaded', dir: tls.certDir, serialNumber: details.serialNumber, notAfter: details.notAfter.toISOString() });
        for (const warning of details.warnings) log({ level: 'warn', msg: warning });
      },
      onError: (error) => log({ level: 'error', msg: error.message }),
    });
  }
  return new CertificateManager({
    api,
    namespace: options.namespace,
    secretName: options.secretName ?? 'tapr-ws-operator-webhook-tls',
    names,
    webhook: {
      name: options.webhookConfigurationName ?? 'tapr-ws-operator',
      clientConfig: webhookClientConfig(options.webhook, options.namespace, webhook.url),
      excludedNamespaces: ['kube-system', options.namespace],
      ...(options.watchNamespaces === undefined || options.watchNamespaces === 'all' ? {} : { includedNamespaces: options.watchNamespaces }),
    },
    ...(options.certificatePolicy === undefined ? {} : { policy: options.certificatePolicy }),
    ...(options.certificateCheckIntervalMs === undefined ? {} : { checkIntervalMs: options.certificateCheckIntervalMs }),
    onCertificate: (certificate) => {
      webhook.setCertificate(certificate);
      log({ level: 'info', msg: 'webhook certificate loaded' });
    },
    onError: (error) => log({ level: 'warn', msg: 'certificate check failed', error: error.message }),
  });
}

/**
 * Caches first; then, alone, sample once and register the webhook before reconciling; with election, start the
 * queue (keys are only queued while leading) and register the webhook before campaigning.
 */
async function startInOrder(parts: {
  informers: Informers; sampler: Sampler; certificates: CertificateSource; queue: WorkQueue; leaderElector: LeaderElector | undefined;
  reconcile: (key: string) => Promise<ReconcileResult>; firstRoundWaitMs: number; syncTimeoutMs: number;
}): Promise<void> {
  const { informers, sampler, certificates, queue, leaderElector, reconcile } = parts;
  informers.start();
  await informers.waitForSync(parts.syncTimeoutMs);
  if (leaderElector === undefined) {
    sampler.start();
    // Registered only once the caches can answer admissions.
    await certificates.ensure();
    // The first list queued every Deployment already (as "added" events); they are reconciled with samples.
    await sampler.waitForFirstRound(parts.firstRoundWaitMs);
    queue.start(reconcile);
  } else {
    // Keys are only queued while leading; the leader enqueues every Deployment once it has sampled.
    queue.start(reconcile);
    await certificates.ensure();
    leaderElector.start();
  }
  certificates.start();
}

function admissionContext(options: OperatorOptions, informers: Informers): AdmissionContext {
  return {
    lookupManifest: (namespace, configMapName) => findManifest((ns, name) => informers.configMaps.get(ns, name), namespace, configMapName),
    settings: options.settings,
    nativeSidecars: options.nativeSidecars,
  };
}

function countAdmission(counters: Counters, log: Log, outcome: AdmissionOutcome | { kind: 'failed'; error: unknown }, durationMs: number): void {
  counters.admissions += 1;
  if (outcome.kind === 'reviewed' && outcome.decision.kind === 'inject') counters.injections += 1;
  if (outcome.kind === 'failed') log({ level: 'error', msg: 'admission failed; pod admitted unchanged', error: String(outcome.error), durationMs });
}

/** The handle main.ts and the tests hold; stop() is idempotent (a second call waits for the first). */
function runningOperator(parts: {
  api: KubeClient; informers: Informers; queue: WorkQueue; webhook: WebhookServer; certificates: CertificateSource; counters: Counters;
  sampler: Sampler; leaderElector: LeaderElector | undefined; leadership: Leadership;
}): RunningOperator {
  const { api, informers, queue, webhook, certificates, counters, sampler, leaderElector, leadership } = parts;
  let stopping: Promise<void> | undefined;
  return {
    informers, queue, webhook, certificates, counters, sampler, leaderElector,
    isLeader: () => leadership.leading,
    isReady: () => informers.hasSynced() && certificates.hasCertificate,
    stop: () => {
      stopping ??= (async () => {
        // Released first, so another replica takes over at once.
        await leaderElector?.stop();
        await sampler.stop();
        await certificates.stop();
        await queue.shutDown();
        await informers.stop();
        await webhook.close();
        api.close();
      })();
      return stopping;
    },
  };
}

function describe(result: ReconcileResult): string {
  if (result.kind !== 'retry' && result.kind !== 'terminal') return '';
  return result.error instanceof Error ? result.error.message : String(result.error);
}
