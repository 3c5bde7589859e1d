// `npm run demo -- --no-cluster` listens where the Quick start says (127.0.0.1:8080) unless --port says otherwise, and a
// port in use fails at once with one line naming it and what to do (exit 1).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type Server } from 'node:net';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const demoMain = fileURLToPath(new URL('../../examples/chat/demo.ts', import.meta.url));

interface DemoRun { code: number | null; readyUrl: string | undefined; stderr: string }

/** Runs the local demo until its "demo ready" line (then stops it with SIGTERM) or until it exits by itself. */
async function runDemo(args: string[]): Promise<DemoRun> {
  const child = spawn(process.execPath, [demoMain, '--no-cluster', ...args], { env: { PATH: process.env.PATH ?? '' }, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = once(child, 'exit') as Promise<[number | null]>;
  let stderr = '';
  let readyUrl: string | undefined;
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk; });
  createInterface({ input: child.stdout }).on('line', (line) => {
    const ready = /^demo ready: open (http:\/\/[^ ]+) /.exec(line);
    if (ready) {
      readyUrl = ready[1];
      child.kill('SIGTERM');
    }
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  try {
    const [code] = await exited;
    return { code, readyUrl, stderr };
  } finally {
    clearTimeout(timer);
  }
}

async function listen(port: number): Promise<Server | undefined> {
  const server = createServer();
  try {
    server.listen(port, '127.0.0.1');
    await once(server, 'listening');
    return server;
  } catch {
    return undefined;
  }
}

test('without --port the page is on 127.0.0.1:8080, like the cluster demo', async (t) => {
  // Probe that 8080 is free on this shared machine; another demo may hold it.
  const probe = await listen(8080);
  if (probe === undefined) {
    t.skip('127.0.0.1:8080 is in use on this machine');
    return;
  }
  await new Promise((resolve) => probe.close(resolve));
  const run = await runDemo([]);
  assert.equal(run.readyUrl, 'http://127.0.0.1:8080/', `stderr: ${run.stderr}`);
});

test('--port 0 still picks a free port', async () => {
  const run = await runDemo(['--port', '0']);
  assert.match(run.readyUrl ?? '', /^http:\/\/127\.0\.0\.1:\d+\/$/, `stderr: ${run.stderr}`);
  assert.notEqual(run.readyUrl, 'http://127.0.0.1:0/');
});

test('a port in use fails with one line naming the address and --port, exit 1', async () => {
  const taken = (await listen(0))!;
  const port = (taken.address() as { port: number }).port;
  try {
    const run = await runDemo(['--port', String(port)]);
    assert.equal(run.code, 1);
    assert.equal(run.readyUrl, undefined);
    assert.match(run.stderr.trim(), new RegExp(`^demo: could not start: the login proxy cannot listen on 127\\.0\\.0\\.1:${port} \\(.*EADDRINUSE.*\\); pick another port with --port$`));
  } finally {
    await new Promise((resolve) => taken.close(resolve));
  }
});
