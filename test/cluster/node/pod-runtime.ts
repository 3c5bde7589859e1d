// One pod's containers as local processes: init containers in order, native sidecars, main containers, probes,
// restarts with backoff, logs, and graceful termination (SIGTERM, sidecars last, SIGKILL at the deadline).
import { spawn, type ChildProcess } from 'node:child_process';
import { constants as osConstants } from 'node:os';
import { formatTimestamp, isJsonObject, toText, type JsonObject } from './json-value.ts';
import type { EnvResult } from './container-env.ts';
import { resolveImage, substitute, type ImageMap } from './image-map.ts';
import { LogBuffer } from './log-buffer.ts';
import { buildPodStatus, type ContainerState, type ContainerStatusView } from './pod-status.ts';
import { probeOnce, runProbe } from './probes.ts';

export interface PodRuntimeOptions {
  pod: JsonObject;
  podIP: string;
  images: ImageMap;
  imageMapSource: string;
  /** Environment every process starts from (PATH, HOME, …; never the cluster's own). */
  baseEnv: Record<string, string>;
  /** The container's env from the pod spec (fails on a missing ConfigMap/Secret/key). */
  containerEnv(container: JsonObject): EnvResult | Promise<EnvResult>;
  /** Writes the pod's kubeconfig for its ServiceAccount; returns its path or throws (no ServiceAccount yet). */
  kubeconfig?(): Promise<string>;
  /** Before each container start (e.g. the ServiceAccount token is written); a throw is a CreateContainerConfigError. */
  prepare?(container: JsonObject): Promise<void>;
  /** How a container's (or exec probe's) argv is run, e.g. inside the pod's network namespace; default: as is. */
  wrapCommand?(argv: string[], container: JsonObject): string[];
  /** status.hostIP (default 127.0.0.1). */
  hostIP?: string;
  /** Extra variables every container gets (KUBERNETES_SERVICE_HOST/PORT). */
  clusterEnv: Record<string, string>;
  backoffMs: { base: number; max: number };
  onChange(): void;
  onError(err: unknown): void;
}

type Kind = 'init' | 'sidecar' | 'main';

class ContainerRun {
  readonly name: string;
  readonly spec: JsonObject;
  readonly kind: Kind;
  state: ContainerState = { waiting: { reason: 'ContainerCreating' } };
  lastState: ContainerState | undefined;
  ready = false;
  started = false;
  restartCount = 0;
  child: ChildProcess | undefined;
  exited: Promise<number> | undefined;
  logs = new LogBuffer();
  previousLogs: LogBuffer | undefined;
  stopProbes: (() => void)[] = [];
  restartTimer: NodeJS.Timeout | undefined;

  constructor(spec: JsonObject, kind: Kind) {
    this.spec = spec;
    this.name = toText(spec.name);
    this.kind = kind;
  }

  get image(): string {
    return toText(this.spec.image);
  }

  get running(): boolean {
    return this.child !== undefined;
  }

  view(): ContainerStatusView {
    return {
      name: this.name, image: this.image, state: this.state, lastState: this.lastState, ready: this.ready, started: this.started,
      restartCount: this.restartCount, containerID: this.child?.pid === undefined ? undefined : `local://${this.child.pid}`,
    };
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function signalNumber(signal: NodeJS.Signals): number {
  return (osConstants.signals as Record<string, number>)[signal] ?? 9;
}

export class PodRuntime {
  private readonly o: PodRuntimeOptions;
  private readonly init: ContainerRun[];
  private readonly main: ContainerRun[];
  private readonly restartPolicy: string;
  private readonly startTime = formatTimestamp(new Date());
  private initialized = false;
  private initFailed = false;
  private stopping = false;
  private readonly wakers = new Set<() => void>();

  constructor(options: PodRuntimeOptions) {
    this.o = options;
    const spec = isJsonObject(options.pod.spec) ? options.pod.spec : {};
    this.restartPolicy = typeof spec.restartPolicy === 'string' ? spec.restartPolicy : 'Always';
    this.init = (Array.isArray(spec.initContainers) ? spec.initContainers.filter(isJsonObject) : [])
      .map((c) => new ContainerRun(c, c.restartPolicy === 'Always' ? 'sidecar' : 'init'));
    this.main = (Array.isArray(spec.containers) ? spec.containers.filter(isJsonObject) : []).map((c) => new ContainerRun(c, 'main'));
    this.initialized = this.init.length === 0;
  }

  get podIP(): string {
    return this.o.podIP;
  }

  start(): void {
    this.run().catch((err: unknown) => this.o.onError(err));
  }

  status(previousConditions: JsonObject[]): JsonObject {
    return buildPodStatus({
      podIP: this.o.podIP, hostIP: this.o.hostIP, startTime: this.startTime, restartPolicy: this.restartPolicy,
      init: this.init.map((c) => ({ status: c.view(), sidecar: c.kind === 'sidecar' })), main: this.main.map((c) => c.view()),
      initialized: this.initialized, initFailed: this.initFailed, previousConditions, now: formatTimestamp(new Date()),
    });
  }

  containerNames(): string[] {
    return [...this.init, ...this.main].map((c) => c.name);
  }

  container(name: string): { logs: LogBuffer; previousLogs: LogBuffer | undefined; everStarted: boolean; waitingReason: string | undefined } | undefined {
    const c = [...this.init, ...this.main].find((x) => x.name === name);
    if (c === undefined) return undefined;
    const everStarted = c.running || c.restartCount > 0 || 'terminated' in c.state;
    return { logs: c.logs, previousLogs: c.previousLogs, everStarted, waitingReason: 'waiting' in c.state ? c.state.waiting.reason : undefined };
  }

  private async run(): Promise<void> {
    for (const c of this.init) {
      if (this.stopping) return;
      if (c.kind === 'sidecar') {
        if (!(await this.startContainer(c))) return;
        continue;
      }
      for (;;) {
        if (!(await this.startContainer(c))) return;
        const code = await c.exited!;
        if (this.stopping) return;
        if (code === 0) break;
        if (this.restartPolicy === 'Never') {
          this.initFailed = true;
          this.o.onChange();
          return;
        }
        await this.backoff(c);
      }
    }
    this.initialized = true;
    this.o.onChange();
    await Promise.all(this.main.map((c) => this.startContainer(c)));
  }

  private async backoff(c: ContainerRun): Promise<void> {
    const delay = Math.min(this.o.backoffMs.max, this.o.backoffMs.base * 2 ** c.restartCount);
    c.state = { waiting: { reason: 'CrashLoopBackOff', message: `back-off ${Math.round(delay / 1000)}s restarting failed container=${c.name} pod=${this.podName()}` } };
    this.o.onChange();
    await new Promise<void>((resolve) => {
      const done = (): void => {
        this.wakers.delete(done);
        resolve();
      };
      c.restartTimer = setTimeout(done, delay);
      this.wakers.add(done);
    });
    c.restartTimer = undefined;
    if (this.stopping) return;
    c.restartCount++;
  }

  private podName(): string {
    const m = isJsonObject(this.o.pod.metadata) ? this.o.pod.metadata : {};
    return `${toText(m.name)}_${toText(m.namespace)}(${toText(m.uid)})`;
  }

  /** Starts the process once its image and config resolve (retrying config errors); false if it cannot start. */
  private async startContainer(c: ContainerRun): Promise<boolean> {
    for (;;) {
      if (this.stopping) return false;
      const entry = resolveImage(this.o.images, c.image);
      if (entry === undefined) {
        c.state = { waiting: { reason: 'ImageNotInMap', message: `image "${c.image}" is not in the image map (${this.o.imageMapSource}); add it to run this container` } };
        this.o.onChange();
        return false;
      }
      const env = await this.o.containerEnv(c.spec);
      let kubeconfig: string | undefined;
      let configError = env.ok ? undefined : env.message;
      if (configError === undefined) {
        try {
          await this.o.prepare?.(c.spec);
          kubeconfig = await this.o.kubeconfig?.();
        } catch (err) {
          configError = err instanceof Error ? err.message : String(err);
        }
      }
      if (configError !== undefined || !env.ok || (this.o.kubeconfig !== undefined && kubeconfig === undefined)) {
        c.state = { waiting: { reason: 'CreateContainerConfigError', message: configError ?? 'unknown' } };
        this.o.onChange();
        await sleep(1000);
        continue;
      }
      const vars = { POD_IP: this.o.podIP, POD_NAME: toText((this.o.pod.metadata as JsonObject).name), POD_NAMESPACE: toText((this.o.pod.metadata as JsonObject).namespace) };
      const imageEnv = Object.fromEntries(Object.entries(entry.env ?? {}).map(([k, v]) => [k, substitute(v, vars)]));
      const processEnv: Record<string, string> = {
        ...this.o.baseEnv, ...this.o.clusterEnv, HOSTNAME: vars.POD_NAME, ...imageEnv, POD_IP: this.o.podIP, ...(kubeconfig === undefined ? {} : { KUBECONFIG: kubeconfig }), ...env.env,
      };
      const expand = (s: string): string => s.replace(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (all, n: string) => env.env[n] ?? all);
      const specCommand = Array.isArray(c.spec.command) ? c.spec.command.map(String).map(expand) : undefined;
      const specArgs = Array.isArray(c.spec.args) ? c.spec.args.map(String).map(expand) : undefined;
      const command = specCommand ?? entry.command.map((s) => substitute(s, vars));
      const args = specArgs ?? (specCommand === undefined ? (entry.args ?? []).map((s) => substitute(s, vars)) : []);
      // The pod may have been deleted while its kubeconfig was being made: a process started now would belong to
      // a runtime that was already killed and untracked, and would outlive the pod and the cluster.
      if (this.stopping) return false;
      const argv = [...command, ...args];
      this.spawnProcess(c, this.o.wrapCommand?.(argv, c.spec) ?? argv, processEnv, entry.workingDir ?? (typeof c.spec.workingDir === 'string' ? c.spec.workingDir : undefined));
      return true;
    }
  }

  private spawnProcess(c: ContainerRun, argv: string[], env: Record<string, string>, cwd: string | undefined): void {
    const startedAt = formatTimestamp(new Date());
    const child = spawn(argv[0]!, argv.slice(1), { env, cwd, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    c.child = child;
    child.stdout.setEncoding('utf8').on('data', (d: string) => c.logs.write(d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => c.logs.write(d));
    let spawnError: Error | undefined;
    child.once('error', (err) => { spawnError = err; });
    c.exited = new Promise<number>((resolve) => {
      child.once('close', (code, signal) => {
        c.logs.end();
        for (const stop of c.stopProbes) stop();
        c.stopProbes = [];
        c.child = undefined;
        const exitCode = spawnError !== undefined ? 128 : code ?? 128 + signalNumber(signal ?? 'SIGKILL');
        const terminated: ContainerState = {
          terminated: {
            exitCode, reason: spawnError !== undefined ? 'StartError' : exitCode === 0 ? 'Completed' : 'Error', startedAt, finishedAt: formatTimestamp(new Date()),
            ...(signal === null ? {} : { signal: signalNumber(signal) }), ...(spawnError === undefined ? {} : { message: spawnError.message }),
          },
        };
        c.state = terminated;
        c.ready = false;
        c.started = false;
        this.o.onChange();
        resolve(exitCode);
        this.afterExit(c, exitCode);
      });
    });
    if (child.pid === undefined) return; // the 'error' and 'close' events follow
    c.state = { running: { startedAt } };
    const probes = (name: string): JsonObject | undefined => (isJsonObject(c.spec[name]) ? c.spec[name] : undefined);
    const startup = probes('startupProbe');
    const readiness = probes('readinessProbe');
    const liveness = probes('livenessProbe');
    const wrap = this.o.wrapCommand === undefined ? undefined : (argv: string[]): string[] => this.o.wrapCommand!(argv, c.spec);
    const check = (p: JsonObject) => (): Promise<boolean> => probeOnce(p, c.spec, this.o.podIP, env, wrap);
    const startRegular = (): void => {
      c.started = true;
      c.ready = readiness === undefined && c.kind !== 'init';
      if (readiness !== undefined) {
        c.stopProbes.push(runProbe(readiness, check(readiness), (ok) => {
          if (c.ready !== ok && c.child === child && !this.stopping) {
            c.ready = ok;
            this.o.onChange();
          }
        }));
      }
      if (liveness !== undefined) {
        c.stopProbes.push(runProbe(liveness, check(liveness), (ok) => {
          if (!ok && c.child === child && !this.stopping) this.killForRestart(c);
        }));
      }
      this.o.onChange();
    };
    if (startup === undefined) {
      startRegular();
    } else {
      let stopStartup: (() => void) | undefined;
      stopStartup = runProbe(startup, check(startup), (ok) => {
        if (c.child !== child || this.stopping) return;
        stopStartup?.();
        stopStartup = undefined;
        if (ok) startRegular();
        else this.killForRestart(c);
      });
      c.stopProbes.push(() => stopStartup?.());
      this.o.onChange();
    }
  }

  /** A failed liveness/startup probe: the container is killed (grace period) and restarted per restartPolicy. */
  private killForRestart(c: ContainerRun): void {
    c.ready = false;
    this.o.onChange();
    void this.stopProcess(c, Date.now() + this.graceMs());
  }

  private afterExit(c: ContainerRun, exitCode: number): void {
    if (this.stopping || c.kind === 'init') return;
    const restart = c.kind === 'sidecar' || this.restartPolicy === 'Always' || (this.restartPolicy === 'OnFailure' && exitCode !== 0);
    if (!restart) return;
    this.restartLater(c).catch((err: unknown) => this.o.onError(err));
  }

  private async restartLater(c: ContainerRun): Promise<void> {
    const last = c.state;
    await this.backoff(c);
    if (this.stopping) return;
    c.lastState = last;
    c.previousLogs = c.logs;
    c.logs = new LogBuffer();
    await this.startContainer(c);
  }

  private graceMs(): number {
    const spec = isJsonObject(this.o.pod.spec) ? this.o.pod.spec : {};
    return (typeof spec.terminationGracePeriodSeconds === 'number' ? spec.terminationGracePeriodSeconds : 30) * 1000;
  }

  private signal(c: ContainerRun, sig: NodeJS.Signals): void {
    const pid = c.child?.pid;
    if (pid === undefined) return;
    try {
      process.kill(-pid, sig);
    } catch {
      try { c.child?.kill(sig); } catch { /* already gone */ }
    }
  }

  /** SIGTERM, then SIGKILL at the deadline; resolves when the process is gone. */
  private async stopProcess(c: ContainerRun, deadline: number): Promise<void> {
    const exited = c.exited;
    if (!c.running || exited === undefined) return;
    this.signal(c, 'SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((r) => { timer = setTimeout(() => r('timeout'), Math.max(0, deadline - Date.now())); });
    const outcome = await Promise.race([exited, timedOut]);
    clearTimeout(timer);
    if (outcome === 'timeout') {
      this.signal(c, 'SIGKILL');
      await exited;
    }
  }

  /** Graceful termination: main (and running init) containers get SIGTERM, then sidecars in reverse order; SIGKILL at the deadline. */
  async terminate(graceSeconds: number): Promise<void> {
    this.beginStopping();
    const deadline = Date.now() + graceSeconds * 1000;
    await Promise.all([...this.main, ...this.init.filter((c) => c.kind === 'init')].map((c) => this.stopProcess(c, deadline)));
    for (const c of [...this.init].reverse().filter((x) => x.kind === 'sidecar')) await this.stopProcess(c, deadline);
  }

  /** A later DELETE with a shorter grace period: everything still running is killed when it ends. */
  shortenGrace(graceSeconds: number): void {
    setTimeout(() => this.killNow(), graceSeconds * 1000).unref();
  }

  /** Synchronous SIGKILL of every process group (the cluster's own process is exiting). */
  killNow(): void {
    for (const c of [...this.init, ...this.main]) this.signal(c, 'SIGKILL');
  }

  /** Immediate SIGKILL of every process (pod removed, cluster stopping); resolves when all are gone. */
  async kill(): Promise<void> {
    this.beginStopping();
    const all = [...this.init, ...this.main];
    for (const c of all) this.signal(c, 'SIGKILL');
    await Promise.all(all.map((c) => (c.running && c.exited !== undefined ? c.exited : Promise.resolve(0))));
  }

  private beginStopping(): void {
    this.stopping = true;
    for (const c of [...this.init, ...this.main]) {
      if (c.restartTimer !== undefined) clearTimeout(c.restartTimer);
      for (const stop of c.stopProbes) stop();
      c.stopProbes = [];
    }
    for (const wake of [...this.wakers]) wake();
  }
}
