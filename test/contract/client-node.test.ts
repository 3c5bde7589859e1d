// The client library in Node 24 (global WebSocket): it connects and learns its connId, and after close() the process
// exits by itself — no timer, socket or listener left behind — with its pending requests rejected.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { startStack } from '../support/stack.ts';

const FIXTURE = join(import.meta.dirname, 'fixtures', 'node-client-close.ts');

test('Node 24: connects, gets its connId, and exits on its own right after close()', async (t) => {
  const stack = await startStack(t, { env: { WS_PING_TIMEOUT_MS: '9000', WS_SERVER_PING_MS: '0' } });
  const child = spawn(process.execPath, [FIXTURE, stack.gw.wsUrl], { stdio: ['ignore', 'pipe', 'inherit'] });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => { output += chunk; });
  const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  const [code, signal] = (await once(child, 'exit')) as [number | null, string | null];
  const exitedAt = Date.now();
  clearTimeout(killer);
  assert.equal(signal, null, 'it exited by itself, not killed after 15 s');
  assert.equal(code, 0);
  const seen = JSON.parse(output) as { connId: string; states: string[]; request: string; closedAt: number };
  const open = await stack.app.waitFor((c) => c.body.action === 'open');
  assert.equal(seen.connId, open.body.conn_id);
  assert.deepEqual(seen.states, ['open', 'closed']);
  assert.equal(seen.request, 'connection closed');
  t.diagnostic(`exited ${exitedAt - seen.closedAt} ms after close()`);
  assert.ok(exitedAt - seen.closedAt < 2_000, `exited ${exitedAt - seen.closedAt} ms after close()`);
  const close = await stack.app.waitFor((c) => c.body.action === 'close');
  assert.equal(close.body.code, 1000, 'the gateway saw a clean close');
});
