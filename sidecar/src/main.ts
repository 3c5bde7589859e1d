// Composition root of the gateway: the only reader of process.env; starts the server and drains on SIGTERM. I/O.
import packageJson from '../package.json' with { type: 'json' };
import { buildGatewayHelp } from './cli-help.ts';
import { parseConfig } from './config.ts';
import { describeListenFailure, describeStartFailure, ExitCode, type StartupFailure } from './exit-codes.ts';
import { createGateway } from './gateway.ts';
import { describeUnsupportedNode } from './node-version.ts';
import { createLogger } from './observability/logger.ts';

const { version } = packageJson;

/** Start-up failures end here: one stderr line (no stack trace) and the failure's own exit code. */
function exitWith(failure: StartupFailure): never {
  process.stderr.write(`ws-gateway: ${failure.message}\n`);
  process.exit(failure.exitCode);
}

// No top-level await: the image runs this as one CommonJS bundle (sidecar/scripts/bundle.ts).
async function main(): Promise<void> {
  const unsupported = describeUnsupportedNode(process.versions.node, 'npm run gateway');
  if (unsupported !== undefined) exitWith({ exitCode: ExitCode.Failed, message: unsupported });

  const args = process.argv.slice(2);
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(buildGatewayHelp(version));
    process.exit(ExitCode.Ok);
  }
  if (args.length > 0) {
    exitWith({
      exitCode: ExitCode.BadConfiguration,
      message: `unknown argument ${JSON.stringify(args[0])}: the gateway takes no flags, its settings are WS_* environment variables (--help lists them)`,
    });
  }

  const parsed = parseConfig(process.env);
  if (!parsed.ok) {
    process.stderr.write(parsed.errors.map((error) => `ws-gateway: invalid configuration: ${error}\n`).join(''));
    process.exit(ExitCode.BadConfiguration);
  }
  const { config } = parsed;
  const log = createLogger(config.logLevel, config.podName ? { pod: config.podName } : {});
  for (const warning of parsed.warnings) log.warn({ code: 'GW_ERR_UNKNOWN_VARIABLE' }, warning);

  // Without WS_REDIS_URL no Redis code is even loaded.
  const backplane = config.redisUrl ? (await import('./backplane/redis-hub.ts')).createRedisBackplane : undefined;
  let gateway: ReturnType<typeof createGateway>;
  try {
    gateway = createGateway(config, log, { version, startedAt: new Date() }, { backplane });
  } catch (error) {
    exitWith(describeStartFailure(error));
  }
  const address = await gateway.listen().catch((error: unknown) => exitWith(describeListenFailure(error, config.host, config.port)));
  log.info({ host: address.address, port: address.port, app: `http://${config.appHost}:${config.appPort}${config.appPath}`, openMode: config.openMode, version }, 'listening');

  let stopping = false;
  async function stop(signal: string): Promise<void> {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'draining');
    // Whatever happens, exit within the budget the platform was promised.
    setTimeout(() => {
      log.error({ code: 'GW_ERR_SHUTDOWN_TIMEOUT' }, 'shutdown budget exhausted, exiting');
      process.exit(0);
    }, config.shutdownTimeoutMs).unref();
    // The gateway logs GW_ERR_SHUTDOWN_CALLBACKS itself, at its deadline, before anything else can stall.
    await gateway.shutdown();
    log.info('stopped');
    process.exit(0);
  }
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      stop(signal).catch((error: unknown) => {
        log.error({ err: error, code: 'GW_ERR_SHUTDOWN' }, 'shutdown failed');
        process.exit(1);
      });
    });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`ws-gateway: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
  process.exit(ExitCode.Failed);
});
