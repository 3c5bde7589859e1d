// Builds (once) and finds the cached upstream binaries: go build in our wrapper modules, cached outside the repository.
// CLI: node test/cluster/upstream/build-upstream.ts [kubernetes|etcd|helm …]   (npm run build:upstream)
import { spawn, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { tryTakePidFile } from './pid-file.ts';
import { buildLdflags, pinnedVersion, UPSTREAM_COMPONENTS, type UpstreamComponentName } from './components.ts';

export interface UpstreamBuild {
  readonly name: UpstreamComponentName;
  readonly version: string;
  readonly binDir: string;
  /** Binary name → absolute path. */
  readonly binaries: Readonly<Record<string, string>>;
}

export interface EnsureOptions {
  /** Progress lines (a build takes minutes); default: stderr. */
  readonly log?: (line: string) => void;
}

/** `$TAPR_WS_CACHE_DIR`, else `$XDG_CACHE_HOME/tapr-ws`, else `~/.cache/tapr-ws`. */
export function cacheRoot(): string {
  const explicit = process.env['TAPR_WS_CACHE_DIR'];
  if (explicit) return explicit;
  const xdg = process.env['XDG_CACHE_HOME'];
  return join(xdg && xdg.length > 0 ? xdg : join(homedir(), '.cache'), 'tapr-ws');
}

let goVersionMemo: string | undefined;
function goVersion(): string {
  if (goVersionMemo) return goVersionMemo;
  try {
    // The toolchain and the settings that change its output (cgo, CPU level) are part of every cache key.
    const version = execFileSync('go', ['version'], { encoding: 'utf8' }).trim();
    const settings = execFileSync('go', ['env', 'CGO_ENABLED', 'GOAMD64', 'GOEXPERIMENT'], { encoding: 'utf8' });
    goVersionMemo = `${version} ${settings.split('\n').join(' ').trim()}`;
  } catch (error) {
    throw new Error('the Go toolchain is needed to build the local Kubernetes: `go` is not on PATH (Go ≥ 1.26)', {
      cause: error,
    });
  }
  return goVersionMemo;
}

interface BuildPlan {
  readonly name: UpstreamComponentName;
  readonly version: string;
  readonly moduleDir: string;
  readonly ldflags: string;
  readonly packages: Readonly<Record<string, string>>;
  readonly key: string;
  readonly outDir: string;
}

async function planBuild(name: UpstreamComponentName): Promise<BuildPlan> {
  const component = UPSTREAM_COMPONENTS[name];
  const goMod = await readFile(join(component.moduleDir, 'go.mod'), 'utf8');
  const goSum = await readFile(join(component.moduleDir, 'go.sum'), 'utf8');
  const version = pinnedVersion(goMod, component.upstreamModule);
  const ldflags = buildLdflags(component.stamps(version));
  // Every input that changes the bytes of a binary is in the key.
  const key = createHash('sha256')
    .update(JSON.stringify([goMod, goSum, goVersion(), ldflags, component.binaries, process.platform, process.arch, '-trimpath']))
    .digest('hex')
    .slice(0, 16);
  const outDir = join(cacheRoot(), 'upstream', `${name}-${version}-${key}`);
  return { name, version, moduleDir: component.moduleDir, ldflags, packages: component.binaries, key, outDir };
}

function buildResult(plan: BuildPlan): UpstreamBuild {
  const binDir = join(plan.outDir, 'bin');
  const binaries = Object.fromEntries(Object.keys(plan.packages).map((binary) => [binary, join(binDir, binary)]));
  return { name: plan.name, version: plan.version, binDir, binaries };
}

const COMPLETE_MARKER = 'complete.json';

function isComplete(plan: BuildPlan): boolean {
  return existsSync(join(plan.outDir, COMPLETE_MARKER));
}

/** The component's binaries, built on first use (minutes) and reused afterwards. Safe to call from parallel processes. */
export async function ensureUpstream(name: UpstreamComponentName, options: EnsureOptions = {}): Promise<UpstreamBuild> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const plan = await planBuild(name);
  if (isComplete(plan)) return buildResult(plan);
  await mkdir(join(cacheRoot(), 'upstream'), { recursive: true });
  const lockPath = `${plan.outDir}.lock`;
  for (;;) {
    if (isComplete(plan)) return buildResult(plan);
    const lock = await tryTakePidFile(lockPath);
    if (lock) {
      try {
        if (!isComplete(plan)) await runBuild(plan, log);
      } finally {
        await rm(lockPath, { force: true });
      }
      return buildResult(plan);
    }
    // Another process is building the same thing: wait for it rather than build twice on 2 cores.
    await sleep(2000);
  }
}

async function runBuild(plan: BuildPlan, log: (line: string) => void): Promise<void> {
  const staging = `${plan.outDir}.partial`;
  await rm(staging, { recursive: true, force: true });
  await mkdir(join(staging, 'bin'), { recursive: true });
  const names = Object.keys(plan.packages).join(', ');
  log(`upstream: building ${plan.name} ${plan.version} (${names}) into ${plan.outDir}`);
  log(`upstream: this happens once per version; see test/cluster/upstream/README.md for how long it takes`);
  const started = Date.now();
  let packagesCompiled = 0;
  const ticker = setInterval(() => {
    const seconds = Math.round((Date.now() - started) / 1000);
    log(`upstream: still building ${plan.name} (${seconds} s, ${packagesCompiled} packages compiled)`);
  }, 30_000);
  try {
    await new Promise<void>((resolve, reject) => {
      const child = spawn(
        'go',
        ['build', '-v', '-trimpath', '-ldflags', plan.ldflags, '-o', join(staging, 'bin') + '/', ...Object.values(plan.packages)],
        { cwd: plan.moduleDir, stdio: ['ignore', 'ignore', 'pipe'] },
      );
      let errorTail = '';
      child.stderr.setEncoding('utf8');
      child.stderr.on('data', (chunk: string) => {
        // `-v` prints one package path per line: progress. Anything else is an error worth showing.
        for (const line of chunk.split('\n')) {
          if (/^[\w.\-/]+$/.test(line)) packagesCompiled += 1;
          else if (line.trim() !== '') errorTail = `${errorTail}${line}\n`.slice(-4000);
        }
      });
      child.on('error', (error) => reject(new Error(`could not run go build for ${plan.name}`, { cause: error })));
      child.on('exit', (code, signal) => {
        if (code === 0) resolve();
        else reject(new Error(`go build for ${plan.name} ${plan.version} failed (${signal ?? `exit ${code}`}):\n${errorTail}`));
      });
    });
  } finally {
    clearInterval(ticker);
  }
  // `go build -o dir/` names a binary after its package (`go.etcd.io/etcd/server/v3` → `server`): give it our name.
  for (const [binary, pkg] of Object.entries(plan.packages)) {
    const goName = pkg.split('/').filter((part) => !/^v\d+$/.test(part)).at(-1) ?? binary;
    if (goName !== binary) await rename(join(staging, 'bin', goName), join(staging, 'bin', binary));
  }
  const seconds = Math.round((Date.now() - started) / 1000);
  await writeFile(
    join(staging, COMPLETE_MARKER),
    JSON.stringify({ name: plan.name, version: plan.version, key: plan.key, seconds, go: goVersion() }, null, 2),
  );
  await rm(plan.outDir, { recursive: true, force: true });
  await rename(staging, plan.outDir);
  log(`upstream: built ${plan.name} ${plan.version} in ${seconds} s`);
}

/** Reads the pinned version without building (for messages and docs). */
export function pinnedVersionOf(name: UpstreamComponentName): string {
  const component = UPSTREAM_COMPONENTS[name];
  return pinnedVersion(readFileSync(join(component.moduleDir, 'go.mod'), 'utf8'), component.upstreamModule);
}

if (import.meta.main) {
  const requested = process.argv.slice(2);
  const all = Object.keys(UPSTREAM_COMPONENTS) as UpstreamComponentName[];
  const unknown = requested.filter((name) => !all.includes(name as UpstreamComponentName));
  if (unknown.length > 0) {
    process.stderr.write(`build-upstream: unknown component ${unknown.join(', ')} (choose from ${all.join(', ')})\n`);
    process.exit(2);
  }
  const names = requested.length > 0 ? (requested as UpstreamComponentName[]) : all;
  try {
    for (const name of names) {
      const build = await ensureUpstream(name);
      process.stdout.write(`${build.name} ${build.version}: ${build.binDir}\n`);
    }
  } catch (error) {
    process.stderr.write(`build-upstream: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  }
}
