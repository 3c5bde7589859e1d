// Composition root of the operator: the only reader of argv and process.env. Parses the configuration, starts the
// health/metrics server and the operator (informers, queue, reconciler, webhook), logs one line when ready, and stops
// everything on SIGTERM/SIGINT. I/O.
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { parseOperatorConfig, decideNativeSidecars } from './config.ts';
import { createApiClient } from './kube/api-client.ts';
import type { GatewaySettings } from './injection/gateway-settings.ts';
import { createLogger, logEntries } from './observability/logger.ts';
import { createOperatorMetrics } from './observability/metrics.ts';
import { startHealthServer, type HealthServer } from './http/health-server.ts';
import { loadKubeconfig, readServerVersion, withRedisFromSecret } from './resolve-config.ts';
import { startOperator, type RunningOperator, type WebhookExposure } from './start-operator.ts';

const parsed = parseOperatorConfig(process.argv.slice(2), process.env);
if (!parsed.ok) {
  process.stderr.write(`tapr-ws-operator: invalid configuration: ${parsed.error}\n`);
  process.exit(2);
}
const { config } = parsed;
const loaded = await loadKubeconfig(config.kubeconfigPath, process.env);
if (!loaded.ok) {
  process.stderr.write(`tapr-ws-operator: invalid configuration: ${loaded.error}\n`);
  process.exit(2);
}
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
  health = await startHealthServer({ ...config.health, sources: { isReady: () => running?.isReady() ?? false, registry: metrics.registry } });

  const api = createApiClient(loaded.kubeconfig);
  let nativeSidecars: boolean;
  let settings: GatewaySettings;
  try {
    const version = await readServerVersion(api);
    nativeSidecars = decideNativeSidecars(config.nativeSidecars, version);
    log.info({ kubeconfig: loaded.source, serverVersion: version.gitVersion ?? `${version.major}.${version.minor}`, nativeSidecars }, 'connected');
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
  log.error({ err: error }, 'start failed');
  await health?.close();
  process.exit(1);
}
