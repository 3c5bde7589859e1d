// A2 handshake checks (F5, F14): every handshake ws would refuse is refused before the app is asked in authorize
// mode, so the app never sees an open without a close; an unsupported version gets 426 + Sec-WebSocket-Version: 13.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, closeCallbackOf } from '../support/stack.ts';
import { clientCloseFrame, openSocket, rawExchange, readResponse, upgradeRequest, type RawResponse } from '../support/raw-socket.ts';
import { sleep } from '../support/wait.ts';

const AUTHORIZE = { WS_OPEN_MODE: 'authorize', WS_CALLBACK_TIMEOUT_MS: '2000' };

const refused: { name: string; request: string; status: number }[] = [
  { name: 'POST upgrade', request: upgradeRequest({}, 'POST /ws HTTP/1.1'), status: 405 },
  { name: 'Upgrade: h2c', request: upgradeRequest({ Upgrade: 'h2c' }), status: 400 },
  { name: 'Sec-WebSocket-Protocol: a,,b', request: upgradeRequest({ 'Sec-WebSocket-Protocol': 'a,,b' }), status: 400 },
  { name: 'Sec-WebSocket-Protocol: a, a', request: upgradeRequest({ 'Sec-WebSocket-Protocol': 'a, a' }), status: 400 },
  { name: 'two Sec-WebSocket-Protocol: a headers', request: upgradeRequest({ 'Sec-WebSocket-Protocol': ['a', 'a'] }), status: 400 },
];

test('authorize mode: handshakes ws would refuse are refused before the open callback, so the app sees no open', async (t) => {
  const stack = await startStack(t, { env: AUTHORIZE });
  const answers: RawResponse[] = [];
  for (const { request } of refused) {
    const answer = await rawExchange(stack.gw.port, request);
    answer.socket.destroy();
    answers.push(answer);
  }
  // A valid handshake right after proves the app is reachable and asked when it should be.
  const valid = await rawExchange(stack.gw.port, upgradeRequest({ 'Sec-WebSocket-Protocol': 'a, b', Cookie: 'tag=valid' }));
  assert.equal(valid.status, 101);
  assert.equal(valid.headers['sec-websocket-protocol'], 'a');
  valid.socket.write(clientCloseFrame(1000));
  const open = await stack.app.waitFor((c) => c.body.action === 'open' && (c.headers.cookie ?? '').includes('tag=valid'));
  await closeCallbackOf(stack.app, open.body.conn_id);
  await sleep(300);
  const opens = stack.app.callbacks.filter((c) => c.body.action === 'open');
  assert.deepEqual(opens.map((c) => c.headers.cookie ?? '(no cookie)'), ['tag=valid'], 'only the valid handshake reached the app');
  refused.forEach(({ name, status }, i) => {
    assert.equal(answers[i]!.status, status, `${name}: ${answers[i]!.body}`);
    assert.equal((JSON.parse(answers[i]!.body) as { code: number }).code, status, `${name}: a JSON error body`);
  });
});

test('authorize mode: a client that leaves while the app decides gets exactly one close callback (1006)', async (t) => {
  const stack = await startStack(t, { env: AUTHORIZE });
  stack.app.respondWith((c) => (c.body.action === 'open' ? { delayMs: 400 } : undefined));
  const socket = await openSocket(stack.gw.port);
  socket.write(upgradeRequest({ Cookie: 'tag=leaver' }));
  // Half-close: the request is complete, the client is gone before the 101 could be written.
  socket.end();
  const open = await stack.app.waitFor((c) => c.body.action === 'open' && (c.headers.cookie ?? '').includes('tag=leaver'));
  const close = await closeCallbackOf(stack.app, open.body.conn_id, { settleMs: 800 });
  assert.equal(close.body.code, 1006);
  assert.equal(close.count, 1);
  socket.destroy();
});

test('an unsupported or missing Sec-WebSocket-Version gets 426 with Sec-WebSocket-Version: 13 (RFC 6455 §4.4)', async (t) => {
  const stack = await startStack(t);
  for (const version of ['8', '99', null]) {
    const socket = await openSocket(stack.gw.port);
    socket.write(upgradeRequest({ 'Sec-WebSocket-Version': version }));
    const answer = await readResponse(socket);
    socket.destroy();
    assert.equal(answer.status, 426, `version ${version}`);
    assert.equal(answer.headers['sec-websocket-version'], '13', `version ${version}`);
    assert.match(answer.body, /Sec-WebSocket-Version/);
  }
  await sleep(200);
  assert.equal(stack.app.callbacks.length, 0, 'no open callback for a refused handshake');
});
