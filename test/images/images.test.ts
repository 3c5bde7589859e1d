// The container images (the Dockerfile's ws-gateway and operator targets): their filesystems, rebuilt without Docker,
// run the compiled code with production dependencies only, as a numeric non-root user on Node 24.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { assembleImage, compileForImages, REPO_ROOT, type ImageFilesystem } from './image-filesystem.ts';
import { startGateway } from '../support/gateway-process.ts';
import { startAppServer } from '../support/app-server.ts';
import { connect } from '../support/ws-client.ts';
import { controlPost } from '../support/control-api.ts';
import { startRedisServer } from '../support/redis-server.ts';
import { waitUntil } from '../support/wait.ts';

const run = promisify(execFile);
let buildOutput = '';
const roots: string[] = [];

before(async () => {
  buildOutput = await compileForImages();
});
after(async () => {
  await Promise.all([buildOutput, ...roots].filter((dir) => dir !== '').map((dir) => rm(dir, { recursive: true, force: true })));
});

const assembled = new Map<string, Promise<ImageFilesystem>>();
/** Each image is assembled once (npm ci takes seconds) and shared by the tests that run it. */
function image(target: string): Promise<ImageFilesystem> {
  let fs = assembled.get(target);
  if (fs === undefined) {
    fs = assembleImage('Dockerfile', target, buildOutput);
    assembled.set(target, fs);
    void fs.then((result) => roots.push(...result.tempDirs), () => {});
  }
  return fs;
}

for (const target of ['ws-gateway', 'operator']) {
  test(`--target ${target}: Node 24 base, numeric non-root user, exec-form entrypoint on compiled JavaScript`, async () => {
    const fs = await image(target);
    assert.match(fs.final.image, /^node:24[.-]/, 'the runtime image must be Node 24');
    assert.match(fs.final.user ?? '', /^[1-9]\d*(:[1-9]\d*)?$/, 'runAsNonRoot needs a numeric non-zero USER');
    assert.equal(fs.command[0], process.execPath, 'ENTRYPOINT must be exec form starting with node (node is PID 1 and gets SIGTERM)');
    assert.match(fs.command.at(-1) ?? '', /\.c?js$/, 'the image runs compiled JavaScript, not .ts');
    for (const flag of fs.command.slice(1, -1)) assert.match(flag, /^--/, 'between node and the script only node flags');
    const installed = JSON.parse(await readFile(join(REPO_ROOT, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> };
    for (const name of ['typescript', 'eslint', 'node']) {
      assert.ok(installed.devDependencies[name] !== undefined);
      await assert.rejects(readFile(join(fs.root, 'node_modules', name, 'package.json')), `devDependency ${name} must not be in the image`);
    }
  });
}

test('the gateway image serves a WebSocket client and drains on SIGTERM, without ever loading https or tls', async (t) => {
  const fs = await image('ws-gateway');
  const app = await startAppServer();
  t.after(() => app.close());
  // Prints, as the process exits, which of the builtins the bundle defers (sidecar/scripts/deferred-builtins.ts) it loaded.
  const reporter = join(fs.root, 'report-builtins.cjs');
  await writeFile(reporter, `process.on('exit', () => process.stderr.write('builtins loaded: ' + JSON.stringify(process.moduleLoadList.filter((m) => /^NativeModule (https|tls)$/.test(m))) + '\\n'));`);
  const gateway = await startGateway({ entry: join(fs.root, fs.command.at(-1)!), nodeArgs: [...fs.command.slice(1, -1), '--require', reporter], env: { WS_URL: '/ws/message', WS_PORT: String(app.port) } });
  t.after(() => gateway.stop());
  const client = await connect(gateway.wsUrl, { headers: { 'X-Bfl-User': 'alice' } });
  await app.waitFor((callback) => callback.body.action === 'open');
  client.send('hello');
  const message = await app.waitFor((callback) => callback.body.action === 'message');
  assert.equal(message.body.user_name, 'alice');
  assert.equal(await gateway.stop(), 0);
  assert.equal((await client.closed).code, 1001);
  // The client side of ws is never used; loading it would cost every pod ~2.7 MiB (docs/performance.md).
  assert.match(gateway.stderr(), /builtins loaded: \[\]\n/);
});

test('the gateway image with WS_REDIS_URL loads the Redis client from its node_modules (outside the bundle) and delivers through the backplane', async (t) => {
  const fs = await image('ws-gateway');
  const redis = await startRedisServer();
  t.after(() => redis.stop());
  const app = await startAppServer();
  t.after(() => app.close());
  const gateway = await startGateway({
    entry: join(fs.root, fs.command.at(-1)!),
    nodeArgs: fs.command.slice(1, -1),
    env: { WS_URL: '/ws/message', WS_PORT: String(app.port), WS_REDIS_URL: redis.url, WS_REDIS_PREFIX: 'image-test' },
  });
  t.after(() => gateway.stop());
  // Ready only once the backplane is connected.
  await waitUntil(async () => (await fetch(`${gateway.baseUrl}/readyz`)).status === 200, { timeoutMs: 10_000, what: '/readyz 200 with the backplane connected' });
  const stats = (await (await fetch(`${gateway.baseUrl}/stats`)).json()) as { backplane?: unknown };
  assert.ok(stats.backplane !== undefined, '/stats reports the backplane');
  const client = await connect(gateway.wsUrl, { headers: { 'X-Bfl-User': 'alice' } });
  await app.waitFor((callback) => callback.body.action === 'open');
  const answer = await controlPost(gateway.baseUrl, 'send', { payload: { via: 'backplane' }, users: ['alice'] });
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
  const [frame] = await client.waitForMessages(1);
  assert.deepEqual(JSON.parse(String(frame)), { via: 'backplane' });
  // Drained while Redis and the app are still up (the after hooks stop them in the order they were added).
  assert.equal(await gateway.stop(), 0);
  assert.equal((await client.closed).code, 1001);
});

test('the operator image loads all its code from production dependencies (a bad flag is reported, exit 2)', async () => {
  const fs = await image('operator');
  const result = await run(fs.command[0]!, [...fs.command.slice(1), '--kubeconfig', '/nonexistent/kubeconfig'], { cwd: fs.root }).then(
    () => ({ code: 0, stderr: '' }),
    (error: { code: number; stderr: string }) => ({ code: error.code, stderr: error.stderr }),
  );
  assert.equal(result.code, 2, result.stderr);
  assert.match(result.stderr, /\/nonexistent\/kubeconfig/);
});
