// A private Linux network namespace with a non-loopback address (192.0.2.1, TEST-NET-1) on its own lo,
// so a gateway can see a real non-loopback peer without any traffic leaving the machine. Needs root. I/O.
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The address the namespace's clients use as their source when they connect to it. */
export const NETNS_PEER_ADDRESS = '192.0.2.1';

export interface Netns {
  readonly name: string;
  /** Command prefix that runs a program inside the namespace. */
  readonly wrapper: string[];
  /** Runs `node <args>` inside the namespace and resolves with its exit code and output. */
  runNode(args: string[], options?: { timeoutMs?: number; env?: Record<string, string> }): Promise<{ code: number | null; stdout: string; stderr: string }>;
  remove(): Promise<void>;
}

export async function createNetns(): Promise<Netns> {
  const name = `wsgw-test-${process.pid}-${randomBytes(3).toString('hex')}`;
  await run('ip', ['netns', 'add', name]);
  const wrapper = ['ip', 'netns', 'exec', name];
  try {
    await run('ip', ['netns', 'exec', name, 'ip', 'link', 'set', 'lo', 'up']);
    await run('ip', ['netns', 'exec', name, 'ip', 'addr', 'add', `${NETNS_PEER_ADDRESS}/32`, 'dev', 'lo']);
  } catch (cause) {
    await run('ip', ['netns', 'del', name]).catch(() => undefined);
    throw new Error(`could not set up network namespace ${name}`, { cause });
  }
  return {
    name,
    wrapper,
    async runNode(args, options = {}) {
      const child = spawn('ip', ['netns', 'exec', name, process.execPath, ...args], {
        env: { PATH: process.env.PATH ?? '', ...options.env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (c: string) => { stdout += c; });
      child.stderr.setEncoding('utf8').on('data', (c: string) => { stderr += c; });
      const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 20000);
      try {
        const [code] = (await once(child, 'exit')) as [number | null];
        return { code, stdout, stderr };
      } finally {
        clearTimeout(timer);
      }
    },
    async remove() {
      await run('ip', ['netns', 'del', name]);
    },
  };
}
