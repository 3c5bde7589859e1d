// A7: logs are JSON lines and never contain cookies, tokens or message bodies at info level.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startStack } from '../support/stack.ts';
import { controlPost, controlList } from '../support/control-api.ts';
import { rawRequest } from '../support/http.ts';

const SECRETS = {
  cookie: 'SECRET-COOKIE-c0ffee1234',
  body: 'BODY-SECRET-5a5a5a',
  rawBody: 'BODY-SECRET-RAW-7b7b7b',
  payload: 'PAYLOAD-SECRET-9c9c9c',
  controlToken: 'CONTROL-SECRET-token-4d4d4d',
  wrongToken: 'WRONG-SECRET-token-8e8e8e',
  otherCookie: 'SESSION-SECRET-1f1f1f',
};

test('at info level, no cookie, token or message body appears in stdout or stderr', async (t) => {
  const stack = await startStack(t, {
    env: { WS_LOG_LEVEL: 'info', WS_CONTROL_TOKEN: SECRETS.controlToken, WS_MAX_PAYLOAD_BYTES: '2048', WS_CALLBACK_TIMEOUT_MS: '300' },
  });
  // Failing callbacks exercise the error logging paths too.
  stack.app.respondWith((c) => {
    const text = JSON.stringify(c.body.data);
    if (text.includes('fail')) return { status: 500 };
    if (text.includes('slow')) return { delayMs: 800 };
    return undefined;
  });
  const client = await stack.connect({ user: 'alice', cookie: `auth_token=${SECRETS.cookie}; session=${SECRETS.otherCookie}` });
  client.send(JSON.stringify({ text: SECRETS.body }));
  client.send(`${SECRETS.rawBody} not json`);
  client.send(JSON.stringify({ text: SECRETS.body, fail: true }));
  client.send(JSON.stringify({ text: SECRETS.body, slow: true }));
  client.send(Buffer.from(SECRETS.body));
  await stack.app.waitForCount((c) => c.body.action === 'message' && c.body.conn_id === client.connId, 5);

  await controlPost(stack.gw.baseUrl, 'send', { tokens: [SECRETS.cookie], payload: { text: SECRETS.payload } });
  await client.waitForMessages(1);
  await controlPost(stack.gw.baseUrl, 'send', { users: ['alice'], payload: SECRETS.payload, payload_base64: 'AA==' });
  await controlPost(stack.gw.baseUrl, 'send', `{"payload": "${SECRETS.payload}", broken`);
  await controlList(stack.gw.baseUrl, { authorization: `Bearer ${SECRETS.wrongToken}` });
  await rawRequest(`${stack.gw.baseUrl}/tapr/ws/conn/list`, { headers: { authorization: `Bearer ${SECRETS.controlToken}`, cookie: `auth_token=${SECRETS.cookie}` } });

  const second = await stack.connect({ user: 'alice', cookie: `auth_token=${SECRETS.cookie}` });
  second.send(`{"big":"${'x'.repeat(4096)}${SECRETS.body}"}`);
  await second.closed;
  await controlPost(stack.gw.baseUrl, 'close', { tokens: [SECRETS.cookie] });
  await client.closed;
  await stack.app.waitForCount((c) => c.body.action === 'close', 2);
  assert.equal(await stack.stopGateway(), 0);

  const stdout = stack.gw.logs.map((entry) => JSON.stringify(entry)).join('\n');
  const output = `${stdout}\n${stack.gw.stderr()}`;
  for (const [what, secret] of Object.entries(SECRETS)) {
    assert.ok(!output.includes(secret), `the logs do not contain the ${what} (${secret})`);
  }
  assert.ok(!output.includes(Buffer.from(SECRETS.body).toString('base64')), 'nor the base64 of a binary body');
  for (const entry of stack.gw.logs) {
    assert.equal(entry.unparsed, undefined, `every stdout line is JSON: ${String(entry.unparsed)}`);
    assert.equal(typeof entry.msg, 'string');
    assert.ok(['info', 'warn', 'error', 'fatal'].includes(String(entry.level)), `level ${String(entry.level)} is info or above`);
  }
  assert.ok(stack.gw.logs.length > 1, 'the gateway did log something');
});
