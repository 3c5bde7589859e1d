// One control-plane binary as a child process: output to a log file, dies with us (PDEATHSIG), stop = SIGTERM then SIGKILL.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { once } from 'node:events';

export interface ComponentProcess {
  readonly name: string;
  readonly logPath: string;
  readonly pid: number | undefined;
  /** Set once the process has exited (code or signal). */
  readonly exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  /** The last lines of its log, for error messages. */
  logTail(lines?: number): Promise<string>;
  stop(graceMs?: number): Promise<void>;
  /** SIGSTOP / SIGCONT: what a frozen process looks like to its clients. */
  signal(signal: NodeJS.Signals): void;
}

export interface StartComponentOptions {
  readonly name: string;
  readonly binary: string;
  readonly args: readonly string[];
  readonly logPath: string;
  /** Told when the process exits without stop() being called. */
  readonly onUnexpectedExit?: (message: string) => void;
}

export function startComponent(options: StartComponentOptions): ComponentProcess {
  const log = createWriteStream(options.logPath, { flags: 'a' });
  // setpriv --pdeathsig: the kernel kills the component if this process dies without stopping it (a crash, SIGKILL),
  // so no etcd or apiserver outlives a test run.
  // A process group of its own: a terminal's Ctrl-C reaches the launcher, which stops the components in order.
  const child: ChildProcess = spawn('setpriv', ['--pdeathsig', 'KILL', '--', options.binary, ...options.args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
    env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: process.env['HOME'] ?? '/root' },
  });
  child.stdout?.pipe(log, { end: false });
  child.stderr?.pipe(log, { end: false });
  let exited: ComponentProcess['exited'];
  let stopping = false;
  const exit = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      exited = { code, signal };
      if (!stopping) options.onUnexpectedExit?.(`${options.name} exited (${signal ?? `code ${code}`}); see ${options.logPath}`);
      resolve();
    });
  });
  child.once('error', (error) => {
    exited = { code: null, signal: null };
    options.onUnexpectedExit?.(`${options.name} could not start: ${error.message}`);
  });
  return {
    name: options.name,
    logPath: options.logPath,
    get pid() {
      return child.pid;
    },
    get exited() {
      return exited;
    },
    logTail: async (lines = 20) => {
      const text = await readFile(options.logPath, 'utf8').catch(() => '');
      return text.trimEnd().split('\n').slice(-lines).join('\n');
    },
    signal: (signal) => {
      if (exited === undefined) child.kill(signal);
    },
    stop: async (graceMs = 10_000) => {
      stopping = true;
      if (exited === undefined && child.pid !== undefined) {
        child.kill('SIGCONT');
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
        await exit;
        clearTimeout(timer);
      }
      if (!log.closed) {
        log.end();
        await once(log, 'close').catch(() => undefined);
      }
    },
  };
}
