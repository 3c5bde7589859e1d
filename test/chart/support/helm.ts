// Runs the real Helm, built from helm.sh/helm/v3 by test/cluster/upstream (never a `helm` from PATH), and the
// release commands the cluster tests use (install, upgrade, uninstall against a kubeconfig). I/O.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { cacheRoot, ensureUpstream } from '../../cluster/upstream/build-upstream.ts';
import { buildValuesArgs, CHART_DIR, DEFAULT_RELEASE, type ValuesOptions } from './chart-paths.ts';

export interface HelmResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface HelmRunOptions {
  /** Kills helm after this long (default 60 s; a release command with --wait needs its --timeout plus a margin). */
  timeoutMs?: number;
}

let helmBinaryMemo: Promise<string> | undefined;

/** The absolute path of the real helm binary; builds it on first use (about a minute after the Kubernetes build). */
export function helmBinary(): Promise<string> {
  helmBinaryMemo ??= ensureUpstream('helm').then(
    (build) => build.binaries['helm']!,
    (error: unknown) => {
      throw new Error('could not build or find the real Helm (npm run build:upstream -- helm; test/cluster/upstream/README.md)', { cause: error });
    },
  );
  return helmBinaryMemo;
}

/**
 * Helm's own settings from a place of its own, never the user's: no HELM_* or KUBECONFIG from the environment, and
 * config, cache and data homes under the tapr-ws cache, so repositories, plugins and contexts on the machine cannot
 * change what a test sees. A cluster is only reached through an explicit --kubeconfig.
 */
function helmEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (!name.startsWith('HELM_') && name !== 'KUBECONFIG') env[name] = value;
  }
  const home = join(cacheRoot(), 'helm-home');
  return { ...env, HELM_CONFIG_HOME: join(home, 'config'), HELM_CACHE_HOME: join(home, 'cache'), HELM_DATA_HOME: join(home, 'data') };
}

function describeCommand(args: readonly string[]): string {
  return `helm ${args.map((arg) => (/^[\w./=:,@+-]+$/.test(arg) ? arg : JSON.stringify(arg))).join(' ')}`;
}

/** Runs `helm <args>` and returns its exit code and output; throws only when helm could not run or timed out. */
export async function runHelm(args: readonly string[], options: HelmRunOptions = {}): Promise<HelmResult> {
  const binary = await helmBinary();
  const timeoutMs = options.timeoutMs ?? 60_000;
  return new Promise((resolve, reject) => {
    execFile(binary, [...args], { env: helmEnv(), maxBuffer: 64 * 1024 * 1024, timeout: timeoutMs }, (error, stdout, stderr) => {
      if (error === null) {
        resolve({ code: 0, stdout, stderr });
      } else if (typeof error.code === 'number') {
        resolve({ code: error.code, stdout, stderr });
      } else if (error.killed === true) {
        reject(new Error(`${describeCommand(args)} did not finish within ${timeoutMs} ms; stderr:\n${stderr.trim()}`, { cause: error }));
      } else {
        reject(new Error(`${describeCommand(args)} could not run (${binary}): ${error.message}`, { cause: error }));
      }
    });
  });
}

/** Runs `helm <args>` expecting success; a non-zero exit throws naming the command, the exit code and helm's stderr. */
export async function runHelmChecked(args: readonly string[], options: HelmRunOptions = {}): Promise<HelmResult> {
  const result = await runHelm(args, options);
  if (result.code !== 0) throw new Error(`${describeCommand(args)} failed (exit ${result.code}):\n${result.stderr.trim()}`);
  return result;
}

/**
 * One release command. Values (not used by uninstall) follow Helm's own rule on upgrade: with none given, the release
 * keeps the values it had; with any given, it starts again from the chart's defaults plus those.
 */
export interface ReleaseOptions extends ValuesOptions {
  action: 'install' | 'upgrade' | 'uninstall';
  /** The cluster: passed as --kubeconfig (nothing else is read). */
  kubeconfigPath: string;
  namespace: string;
  /** Default: tapr-ws. */
  releaseName?: string;
  /** Default: charts/tapr-ws. Not used by uninstall. */
  chartDir?: string;
  /** install only: --create-namespace. */
  createNamespace?: boolean;
  /** --wait: until the release's resources are ready (install, upgrade) or gone (uninstall). */
  wait?: boolean;
  /** Helm's --timeout in seconds for hooks and --wait (default 120). */
  timeoutSeconds?: number;
}

export function buildReleaseArgs(options: ReleaseOptions): string[] {
  const release = options.releaseName ?? DEFAULT_RELEASE;
  const timeoutSeconds = options.timeoutSeconds ?? 120;
  const args = options.action === 'uninstall'
    ? ['uninstall', release]
    : [options.action, release, options.chartDir ?? CHART_DIR, ...buildValuesArgs(options)];
  args.push('--namespace', options.namespace, '--kubeconfig', options.kubeconfigPath, '--timeout', `${timeoutSeconds}s`);
  if (options.action === 'install' && options.createNamespace === true) args.push('--create-namespace');
  if (options.wait === true) args.push('--wait');
  return args;
}

/** `helm install|upgrade|uninstall` of the chart against a kubeconfig; throws naming the command and helm's stderr. */
export async function runHelmRelease(options: ReleaseOptions): Promise<{ stdout: string; stderr: string }> {
  const { stdout, stderr } = await runHelmChecked(buildReleaseArgs(options), { timeoutMs: ((options.timeoutSeconds ?? 120) + 30) * 1000 });
  return { stdout, stderr };
}
