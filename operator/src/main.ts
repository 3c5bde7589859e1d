// Composition root of the operator: the only reader of argv and process.env. Parses the configuration, starts the
// health/metrics server and the operator (informers, queue, reconciler, webhook), logs one line when ready, and stops
// everything on SIGTERM/SIGINT. I/O.
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { createRequire } from 'node:module';
import { buildOperatorHelp } from './cli-help.ts';
import { parseOperatorConfig, decideNativeSidecars } from './config.ts';
import {
  describeApiServerUnreachable, describeListenFailure, describeMissingNamespaces, describeStartFailure, ExitCode, type ListenSite, type StartupFailure,
} from './exit-codes.ts';
import { createApiClient, isApiError } from './kube/api-client.ts';
import type { GatewaySettings } from './injection/gateway-settings.ts';
import { createLogger, logEntries } from './observability/logger.ts';
import { createOperatorMetrics } from './observability/metrics.ts';
import { startHealthServer, type HealthServer } from './http/health-server.ts';
import { loadKubeconfig, readServerVersion, withRedisFromSecret } from './resolve-config.ts';
import { describeUnsupportedNode } from '../../sidecar/src/node-version.ts';
import { findMissingNamespaces, namespacesToCheck } from './startup-checks.ts';
import { startOperator, type RunningOperator, type WebhookExposure } from './start-operator.ts';

const { version: operatorVersion } = createRequire(import.meta.url)('../package.json') as { version: string };

/** A start-up failure: one stderr line (no stack trace) and the failure's own exit code. */
function exitWith(failure: StartupFailure): never {
  process.stderr.write(`tapr-ws-operator: ${failure.message}\n`);
  process.exit(failure.exitCode);
}

// The image's compiled main.js runs on the image's Node 24; this guards `node operator/src/main.ts` on another Node.
const unsupported = describeUnsupportedNode(process.versions.node, 'npm run operator');
if (unsupported !== undefined) exitWith({ exitCode: ExitCode.Failed, message: unsupported });

const argv = process.argv.slice(2);
if (argv.includes('--help') || argv.includes('-h')) {
  process.stdout.write(buildOperatorHelp(operatorVersion));
  process.exit(ExitCode.Ok);
}
const parsed = parseOperatorConfig(argv, process.env);
if (!parsed.ok) {
  process.stderr.write((parsed.errors ?? [parsed.error]).map((error) => `tapr-ws-operator: invalid configuration: ${error}\n`).join(''));
  process.exit(ExitCode.BadConfiguration);
}
const { config } = parsed;
const loaded = await loadKubeconfig(config.kubeconfigPath, process.env);
if (!loaded.ok) exitWith({ exitCode: ExitCode.BadConfiguration, message: `invalid configuration: ${loaded.error}` });
const healthSite: ListenSite = { what: 'health server', ...config.health, hostOption: '--health-host', portOption: '--health-port' };
const webhookSite: ListenSite = { what: 'webhook', host: config.webhook.host, port: config.webhook.port, hostOption: '--webhook-host', portOption: '--webhook-port' };
const log = createLogger(config.logLevel, { namespace: config.namespace });

let running: RunningOperator | undefined;
let health: HealthServer | undefined;
let stopping = false;

async function stop(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  log.info({ signal }, 'stopping');
  setTimeout(() => {
    log.error('stop took longer than 20s, exiting');
    process.exit(0);
  }, 20_000).unref();
  await running?.stop();
  await health?.close();
  log.info('stopped');
  process.exit(0);
}
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    stop(signal).catch((error: unknown) => {
      log.error({ err: error }, 'stop failed');
      process.exit(1);
    });
  });
}

try {
  const metrics = createOperatorMetrics(() => running, () => running?.isReady() ?? false);
  health = await startHealthServer({ ...config.health, sources: { isReady: () => running?.isReady() ?? false, registry: metrics.registry } })
    .catch((error: unknown) => {
      const failure = describeListenFailure(error, healthSite);
      if (failure === undefined) throw error;
      return exitWith(failure);
    });

  const api = createApiClient(loaded.kubeconfig);
  let nativeSidecars: boolean;
  let settings: GatewaySettings;
  try {
    const version = await readServerVersion(api).catch((error: unknown) => {
      if (isApiError(error)) throw error;
      return exitWith(describeApiServerUnreachable(error, loaded.kubeconfig.server.origin, loaded.source));
    });
    nativeSidecars = decideNativeSidecars(config.nativeSidecars, version);
    log.info({ kubeconfig: loaded.source, serverVersion: version.gitVersion ?? `${version.major}.${version.minor}`, nativeSidecars }, 'connected');
    const missing = await findMissingNamespaces(api, namespacesToCheck(config.namespace, config.watchNamespaces));
    if (missing.length > 0) exitWith(describeMissingNamespaces(missing));
    settings = await withRedisFromSecret(api, config);
  } finally {
    api.close();
  }

  const webhook: WebhookExposure = config.webhook;
  if (!stopping) {
    const leaderElection = config.leaderElection === undefined ? false : {
      namespace: config.namespace, name: config.leaderElection.leaseName, leaseDurationSeconds: config.leaderElection.leaseDurationSeconds,
      identity: `${process.env.POD_NAME ?? hostname()}-${randomBytes(3).toString('hex')}`,
    };
    running = await startOperator({
      kubeconfig: loaded.kubeconfig, watchNamespaces: config.watchNamespaces, namespace: config.namespace, settings, nativeSidecars, webhook, leaderElection,
      webhookTls: config.webhookTls, restartOutdated: config.restartOutdated, queue: { concurrency: config.reconcileConcurrency },
      ...(config.gatewayNetworkPolicy === undefined ? {} : { gatewayNetworkPolicy: config.gatewayNetworkPolicy }),
      webhookConfigurationName: config.webhookConfigurationName, secretName: config.webhookSecretName,
      sampleIntervalMs: config.statusIntervalMs, log: logEntries(log),
    });
    if (stopping) await running.stop();
    else {
      log.info({
        healthUrl: health.url, webhookUrl: running.webhook.url, webhook: webhook.kind, webhookTls: config.webhookTls.mode,
        restartOutdated: config.restartOutdated, statusIntervalMs: config.statusIntervalMs, reconcileConcurrency: config.reconcileConcurrency,
        gatewayNetworkPolicy: config.gatewayNetworkPolicy !== undefined,
      }, 'operator ready');
    }
  }
} catch (error) {
  // The JSON log keeps the details (stack, causes); stderr gets the one line a person reads.
  log.error({ err: error }, 'start failed');
  await health?.close();
  exitWith(describeListenFailure(error, webhookSite) ?? describeStartFailure(error));
}
