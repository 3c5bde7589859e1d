// `node operator/src/main.ts` as a child process for tests: its JSON log lines, stderr and exit, and a stop that
// sends SIGTERM and waits. I/O.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const operatorMain = fileURLToPath(new URL('../../operator/src/main.ts', import.meta.url));

export interface OperatorProcess {
  child: ChildProcess;
  /** Every stdout line, parsed (`{ msg, unparsed: true }` for a line that is not JSON). */
  logs: Record<string, unknown>[];
  stderr(): string;
  exited: Promise<number | null>;
  /** SIGTERM (when still running), then the exit code. */
  stop(): Promise<number | null>;
}

/** Spawns main.ts with only the given env (no inherited KUBECONFIG or OPERATOR_*). */
export function spawnOperator(args: string[], env: Record<string, string> = {}): OperatorProcess {
  const child = spawn(process.execPath, [operatorMain, ...args], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const logs: Record<string, unknown>[] = [];
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk; });
  createInterface({ input: child.stdout }).on('line', (line) => {
    try {
      logs.push(JSON.parse(line) as Record<string, unknown>);
    } catch {
      logs.push({ msg: line, unparsed: true });
    }
  });
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  return {
    child, logs, exited,
    stderr: () => stderr,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return await exited;
    },
  };
}
