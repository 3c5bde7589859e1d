// A2 message content: JSON keep-alive ping/pong, inbound JSON/raw text/binary kept intact, outbound payload
// as one text frame without envelope and payload_base64 as a binary frame.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, type Stack, type StackClient } from '../support/stack.ts';
import { controlPost } from '../support/control-api.ts';
import type { RecordedCallback } from '../support/app-server.ts';
import { sleep } from '../support/wait.ts';

async function messageCallbacks(stack: Stack, client: StackClient, count: number): Promise<RecordedCallback[]> {
  return stack.app.waitForCount((c) => c.body.action === 'message' && c.body.conn_id === client.connId, count);
}

test('{"event":"ping"} is answered with {"event":"pong"} and not forwarded to the app', async (t) => {
  const stack = await startStack(t);
  const client = await stack.connect({ user: 'alice' });
  client.send('{"event":"ping"}');
  const [pong] = await client.waitForMessages(1);
  assert.equal(typeof pong, 'string', 'pong is a text frame');
  assert.deepEqual(JSON.parse(pong as string), { event: 'pong' });
  client.send('{"event":"marker"}');
  const [marker] = await messageCallbacks(stack, client, 1);
  assert.deepEqual(marker!.body.data, { event: 'marker' }, 'the first message the app sees is the marker, not the ping');
  await sleep(200);
  assert.equal(stack.callbacksOf(client.connId).filter((c) => c.body.action === 'message').length, 1);
});

test('valid JSON text reaches the app as the parsed value (object, array, scalar)', async (t) => {
  const stack = await startStack(t);
  const client = await stack.connect({ user: 'alice' });
  const values: unknown[] = [{ text: 'héllo ✓ 😀', nested: { list: [1, 2, 3] } }, [1, 'two', null], 42, 'a JSON string', true, null, { event: 'chat' }];
  for (const value of values) client.send(JSON.stringify(value));
  const callbacks = await messageCallbacks(stack, client, values.length);
  assert.deepEqual(callbacks.map((c) => c.body.data), values);
  for (const c of callbacks) {
    assert.notEqual(c.body.raw, true, 'JSON text is not flagged raw');
    assert.notEqual(c.body.binary, true, 'JSON text is not flagged binary');
  }
});

test('non-JSON text reaches the app as the string with raw:true', async (t) => {
  const stack = await startStack(t);
  const client = await stack.connect({ user: 'alice' });
  const texts = ['hello world', '{not json', '', '  spaced  ', 'ünïcödé ✓'];
  for (const text of texts) client.send(text);
  const callbacks = await messageCallbacks(stack, client, texts.length);
  assert.deepEqual(callbacks.map((c) => c.body.data), texts);
  for (const c of callbacks) assert.equal(c.body.raw, true);
});

test('binary frames reach the app base64-encoded with binary:true', async (t) => {
  const stack = await startStack(t);
  const client = await stack.connect({ user: 'alice' });
  const frames = [Buffer.from([0, 1, 2, 253, 254, 255]), Buffer.from('{"looks":"like json"}'), Buffer.alloc(3000, 7)];
  for (const frame of frames) client.send(frame);
  const callbacks = await messageCallbacks(stack, client, frames.length);
  callbacks.forEach((c, i) => {
    assert.equal(c.body.binary, true);
    assert.equal(typeof c.body.data, 'string');
    assert.deepEqual(Buffer.from(c.body.data as string, 'base64'), frames[i]);
  });
});

test('a big integer in a JSON message is passed to the app exactly (no float rounding)', async (t) => {
  const stack = await startStack(t);
  const client = await stack.connect({ user: 'alice' });
  client.send('{"id":12345678901234567890,"price":0.1000000000000000055511151231257827}');
  const [callback] = await messageCallbacks(stack, client, 1);
  assert.ok(callback!.rawBody.includes('12345678901234567890'), `callback body keeps the digits: ${callback!.rawBody}`);
});

test('outbound payload is JSON-encoded and sent as exactly one text frame with no envelope', async (t) => {
  const stack = await startStack(t);
  const client = await stack.connect({ user: 'alice' });
  const payloads: unknown[] = [{ type: 'chat', text: 'hi ✓', list: [1, 2] }, 'plain string', 7, [true, false], null];
  for (const payload of payloads) {
    const answer = await controlPost(stack.gw.baseUrl, 'send', { conn_id: client.connId, payload });
    assert.equal(answer.status, 200);
  }
  const frames = await client.waitForMessages(payloads.length);
  await sleep(200);
  assert.equal(client.received.length, payloads.length, 'one frame per send');
  frames.forEach((frame, i) => {
    assert.equal(typeof frame, 'string', 'text frame');
    assert.deepEqual(JSON.parse(frame as string), payloads[i]);
  });
  assert.equal(frames[4], 'null');
});

test('payload_base64 is sent as one binary frame with exactly those bytes', async (t) => {
  const stack = await startStack(t);
  const client = await stack.connect({ user: 'alice' });
  const bytes = Buffer.from([0, 255, 1, 128, 10, 13, 0]);
  const answer = await controlPost(stack.gw.baseUrl, 'send', { conn_id: client.connId, payload_base64: bytes.toString('base64') });
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
  const [frame] = await client.waitForMessages(1);
  assert.ok(Buffer.isBuffer(frame), 'binary frame');
  assert.deepEqual(frame, bytes);
});
