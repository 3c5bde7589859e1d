// Unit tests of the control API client against a fake fetch: paths, bodies, the token, and errors that name the
// endpoint, the status and the gateway's message; timeouts and an unreachable gateway.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { ControlApiError, createControlClient } from './control-client.ts';

interface Seen { url: string; method: string; headers: Record<string, string>; body: unknown }

function fakeFetch(seen: Seen[], answer: (url: string) => Response | Promise<Response>): typeof fetch {
  return async (input, init) => {
    const url = input instanceof Request ? input.url : String(input);
    seen.push({ url, method: init?.method ?? 'GET', headers: init?.headers as Record<string, string>, body: typeof init?.body === 'string' ? JSON.parse(init.body) : undefined });
    return answer(url);
  };
}
const ok = (data: unknown) => new Response(JSON.stringify({ code: 0, message: 'success', data }), { status: 200 });

test('every call goes to its endpoint with the wire shape, and resolves with data', async () => {
  const seen: Seen[] = [];
  const control = createControlClient('http://gw:40010/', { fetch: fakeFetch(seen, () => ok({ matched: 1 })), token: 's3cret' });
  assert.deepEqual(await control.send({ channels: ['room:1'], except_conns: ['c1'], payload: { event: 'x', data: 1 } }), { matched: 1 });
  await control.sendEvent({ users: ['bob'] }, 'said', { text: 'hi' });
  await control.send({ conn_id: 'c1', payload_base64: 'AAE=' });
  await control.close({ users: ['bob'], users_access_type: 1 });
  await control.list();
  await control.subscribe({ conns: ['c1'], channels: ['room:1'] });
  await control.unsubscribe({ conn_id: 'c1', all: true });
  await control.channels('room:');
  await control.presence('room:1');
  assert.deepEqual(seen.map((s) => [s.method, s.url.replace('http://gw:40010', ''), s.body]), [
    ['POST', '/tapr/ws/conn/send', { channels: ['room:1'], except_conns: ['c1'], payload: { event: 'x', data: 1 } }],
    ['POST', '/tapr/ws/conn/send', { users: ['bob'], payload: { event: 'said', data: { text: 'hi' } } }],
    ['POST', '/tapr/ws/conn/send', { conn_id: 'c1', payload_base64: 'AAE=' }],
    ['POST', '/tapr/ws/conn/close', { users: ['bob'], users_access_type: 1 }],
    ['GET', '/tapr/ws/conn/list', undefined],
    ['POST', '/tapr/ws/channel/subscribe', { conns: ['c1'], channels: ['room:1'] }],
    ['POST', '/tapr/ws/channel/unsubscribe', { conn_id: 'c1', all: true }],
    ['GET', '/tapr/ws/channel/list?prefix=room%3A', undefined],
    ['GET', '/tapr/ws/channel/presence?channel=room%3A1', undefined],
  ]);
  assert.equal(seen[0]!.headers.authorization, 'Bearer s3cret');
  assert.equal(seen[0]!.headers['content-type'], 'application/json');
});

test('a refusal names the endpoint, the status and the gateway\'s message', async () => {
  const message = 'channels[0]: "no spaces" is not a channel name (…)';
  const control = createControlClient('http://gw', { fetch: fakeFetch([], () => new Response(JSON.stringify({ code: 400, message }), { status: 400 })) });
  await assert.rejects(control.subscribe({ conn_id: 'c1', channels: ['no spaces'] }), (error: unknown) => {
    assert.ok(error instanceof ControlApiError);
    assert.equal(error.message, `control API POST /tapr/ws/channel/subscribe: HTTP 400: ${message}`);
    assert.deepEqual([error.endpoint, error.status, error.detail], ['POST /tapr/ws/channel/subscribe', 400, message]);
    return true;
  });
  const html = createControlClient('http://gw', { fetch: fakeFetch([], () => new Response('<h1>bad gateway</h1>', { status: 502 })) });
  await assert.rejects(html.presence('a'), /^ControlApiError: control API GET \/tapr\/ws\/channel\/presence: HTTP 502: unexpected answer "<h1>bad gateway<\/h1>"$/);
});

test('no answer within the timeout, and an unreachable gateway, are errors with status 0', async () => {
  const hanging: typeof fetch = (_input, init) => new Promise((_resolve, reject) => init?.signal?.addEventListener('abort', () => reject(init.signal!.reason as Error)));
  await assert.rejects(createControlClient('http://gw', { fetch: hanging, timeoutMs: 20 }).list(), { name: 'ControlApiError', status: 0, message: 'control API GET /tapr/ws/conn/list: no answer within 20 ms' });
  const port = await closedPort();
  await assert.rejects(createControlClient(`http://127.0.0.1:${port}`).list(), new RegExp(`^ControlApiError: control API GET /tapr/ws/conn/list: gateway unreachable at http://127\\.0\\.0\\.1:${port} \\(ECONNREFUSED\\)$`));
});

/** A loopback port that was free a moment ago: nothing listens there. */
async function closedPort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  server.close();
  await once(server, 'close');
  return port;
}
