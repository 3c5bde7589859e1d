// The app kit's contract suite, run once per server (node:http, hono): the real gateway, an app on the kit, real
// sockets. Typed dispatch, inline replies in order, request/$reply, subscribe on open, control client errors, bad bodies.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { ControlApiError, createControlClient } from '../../client/src/app/index.ts';
import { startKitApp, type KitApp, type KitServer } from './kit-app.ts';
import type { GatewayProcess } from './gateway-process.ts';
import { CALLBACK_PATH, startGatewayFor } from './stack.ts';
import { waitUntil } from './wait.ts';
import { connect, type RecordingClient } from './ws-client.ts';

type Frame = { event: string; data: Record<string, unknown> };

interface KitStack {
  app: KitApp;
  gateway: GatewayProcess;
  /** Connects as `user` to `path` (default `/ws`) and waits until the kit has answered the open. */
  join: (user: string, path?: string) => Promise<RecordingClient>;
}

async function startKitStack(t: TestContext, kind: KitServer): Promise<KitStack> {
  const app = await startKitApp(kind);
  const clients: RecordingClient[] = [];
  const gateway = await startGatewayFor(t, app, clients);
  app.useGateway(gateway.baseUrl);
  const control = createControlClient(gateway.baseUrl);
  return {
    app,
    gateway,
    async join(user, path = '/ws') {
      const client = await connect(`${gateway.baseUrl.replace('http:', 'ws:')}${path}`, { headers: { 'x-bfl-user': user } });
      clients.push(client);
      // The open answer subscribes to the lobby: once the connection is there, its open was answered.
      await waitUntil(async () => (await control.presence('lobby')).users.some((u) => u.name === user), { what: `${user} in the lobby` });
      return client;
    },
  };
}

const frames = (client: RecordingClient): Frame[] => client.received.map((f) => JSON.parse(String(f)) as Frame);

async function framesOf(client: RecordingClient, count: number): Promise<Frame[]> {
  await client.waitForMessages(count);
  return frames(client);
}

export function runAppKitSuite(kind: KitServer): void {
  test(`${kind}: events reach their typed handler, inline replies arrive in the order of the messages`, async (t) => {
    const { join } = await startKitStack(t, kind);
    const alice = await join('alice', '/ws/kit?room=7');
    alice.send(JSON.stringify({ event: 'whoami', data: {} }));
    for (let i = 0; i < 20; i++) alice.send(JSON.stringify({ event: 'chat', data: { text: `line ${i}` } }));
    alice.send('plain text');
    alice.send(JSON.stringify({ event: 'nobody-handles-this', data: 1 }));
    const [whoami, ...rest] = await framesOf(alice, 23);
    assert.equal(whoami!.event, 'whoami');
    assert.deepEqual({ ...whoami!.data, connId: typeof whoami!.data.connId }, { connId: 'string', user: 'alice', path: '/ws/kit', query: 'room=7' });
    assert.deepEqual(rest.slice(0, 20).map((f) => [f.event, f.data.text]), Array.from({ length: 20 }, (_, i) => ['said', `line ${i}`]));
    assert.deepEqual(rest.slice(20).map((f) => f.data.text), [
      'other: {"data":"plain text","raw":true,"binary":false}',
      'other: {"data":{"event":"nobody-handles-this","data":1},"raw":false,"binary":false,"event":"nobody-handles-this"}',
    ]);
  });

  test(`${kind}: a request() is answered by $reply with its $id`, async (t) => {
    const { join } = await startKitStack(t, kind);
    const bob = await join('bob');
    bob.send(JSON.stringify({ event: 'sum', data: { a: 2, b: 3, $id: 'r-1' } }));
    bob.send(JSON.stringify({ event: 'sum', data: { a: 10, b: -1, $id: 'r-2' } }));
    assert.deepEqual(await framesOf(bob, 2), [{ event: '$reply', data: { sum: 5, $id: 'r-1' } }, { event: '$reply', data: { sum: 9, $id: 'r-2' } }]);
  });

  test(`${kind}: subscribed by the open answer, a channel send reaches the connection; close reports the channels`, async (t) => {
    const { app, gateway, join } = await startKitStack(t, kind);
    const carol = await join('carol');
    const welcomed = await join('dave', '/ws/welcome');
    const control = createControlClient(gateway.baseUrl);
    assert.deepEqual(await framesOf(welcomed, 1), [{ event: 'welcome', data: { user: 'dave' } }], 'open replied inline and subscribed');
    assert.deepEqual(await control.sendEvent({ channels: ['lobby'] }, 'said', { text: 'to the lobby' }), { matched: 2, sent: 2 });
    assert.deepEqual(await framesOf(carol, 1), [{ event: 'said', data: { text: 'to the lobby' } }]);
    assert.deepEqual((await framesOf(welcomed, 2))[1], { event: 'said', data: { text: 'to the lobby' } });

    carol.send(JSON.stringify({ event: 'join', data: { channel: 'room:9' } }));
    assert.deepEqual((await framesOf(carol, 2))[1], { event: 'joined', data: { channel: 'room:9' } });
    carol.socket.close(4000, 'bye');
    const closed = await waitUntil(() => app.closes.find((c) => c.user === 'carol'), { what: 'carol\'s close callback' });
    assert.deepEqual([closed.code, closed.reason, [...closed.channels].sort()], [4000, 'bye', ['lobby', 'room:9']]);
  });

  test(`${kind}: control client errors name the endpoint, the status and the gateway's message`, async (t) => {
    const { app, gateway, join } = await startKitStack(t, kind);
    const control = createControlClient(gateway.baseUrl);
    await assert.rejects(control.subscribe({ users: ['erin'], channels: ['no spaces'] }), (error: unknown) => {
      assert.ok(error instanceof ControlApiError);
      assert.equal(error.status, 400);
      assert.match(error.message, /^control API POST \/tapr\/ws\/channel\/subscribe: HTTP 400: channels\[0\]: "no spaces" is not a channel name/);
      return true;
    });
    await assert.rejects(control.send({ payload: 1 }), /^ControlApiError: control API POST \/tapr\/ws\/conn\/send: HTTP 400: conn_id, conns, users, tokens, channels: at least one target is required/);
    await assert.rejects(control.presence(''), /GET \/tapr\/ws\/channel\/presence: HTTP 400: channel: required/);
    // An unknown connection is no error for the gateway: nothing matched.
    assert.deepEqual(await control.send({ conn_id: 'no-such-conn', payload: 1 }), { matched: 0, sent: 0 });
    // A bad channel name in a handler fails the callback (500, reported); the connection stays.
    const erin = await join('erin');
    erin.send(JSON.stringify({ event: 'join', data: { channel: 'no spaces' } }));
    await waitUntil(() => app.errors.length > 0, { what: 'the handler error' });
    assert.match(app.errors[0]!, /ctx.subscribe: channels\[0\] "no spaces" is not a channel name/);
    erin.send(JSON.stringify({ event: 'chat', data: { text: 'still here' } }));
    assert.deepEqual(await framesOf(erin, 1), [{ event: 'said', data: { text: 'still here' } }]);
  });

  test(`${kind}: callback bodies that are no callback get 400 naming the field`, async (t) => {
    const { app } = await startKitStack(t, kind);
    const post = async (body: string) => {
      const response = await fetch(`http://127.0.0.1:${app.port}${CALLBACK_PATH}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      return [response.status, await response.json()] as const;
    };
    const who = { conn_id: 'c1', user_name: 'alice', token: 't', access_public: true, path: '/ws', query: '' };
    assert.deepEqual(await post('{"action":'), [400, { error: 'body: invalid JSON (Unexpected end of JSON input)' }]);
    assert.deepEqual(await post(JSON.stringify({ ...who, action: 'hello' })), [400, { error: 'action: expected "open", "message" or "close"' }]);
    assert.deepEqual(await post(JSON.stringify({ ...who, action: 'close', code: 'x', reason: '' })), [400, { error: 'code: expected a close code 1000-4999' }]);
    assert.deepEqual(await post(JSON.stringify({ ...who, action: 'message', token: 5, data: {} })), [400, { error: 'token: expected a string' }]);
  });
}
