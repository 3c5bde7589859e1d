// The chat app restarted behind a running gateway still knows who is online and who is in which room (it resyncs from
// the control API's `list` and the rooms' channels).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startChatApp, type ChatApp } from '../../examples/chat/app.ts';
import { startGateway } from '../support/gateway-process.ts';
import { startAppServer } from '../support/app-server.ts';
import { connect, type RecordingClient } from '../support/ws-client.ts';
import { chatMessage, readChatFrame } from '../support/chat-frames.ts';

async function freeAppPort(): Promise<number> {
  const probe = await startAppServer();
  const { port } = probe;
  await probe.close();
  return port;
}

/** The first frame (past or future) the predicate accepts, parsed. */
async function frameOf(client: RecordingClient, accept: (message: Record<string, unknown>) => boolean): Promise<Record<string, unknown>> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const found = client.received.map((frame) => readChatFrame(frame)).find(accept);
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`no such frame; received ${JSON.stringify(client.received)}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function welcomeOf(client: RecordingClient): Promise<{ type: string; user: string; online: string[] }> {
  return client.waitForMessages(1, 15_000).then(([first]) => readChatFrame(first!) as { type: string; user: string; online: string[] });
}

test('a restarted app lists the connections the gateway kept and reports them online', async (t) => {
  const appPort = await freeAppPort();
  const gateway = await startGateway({ env: { WS_PORT: String(appPort), WS_URL: '/ws/message' } });
  t.after(() => gateway.stop());
  const clients: RecordingClient[] = [];
  t.after(() => { for (const c of clients) c.socket.terminate(); });
  const quiet = { log: () => undefined, warn: () => undefined };

  let app: ChatApp = await startChatApp({ port: appPort, gatewayUrl: gateway.baseUrl, ...quiet });
  const alice = await connect(gateway.wsUrl, { headers: { 'x-bfl-user': 'alice' } });
  clients.push(alice);
  assert.deepEqual((await welcomeOf(alice)).online, ['alice']);

  await app.close();
  app = await startChatApp({ port: appPort, gatewayUrl: gateway.baseUrl, ...quiet });
  t.after(() => app.close());

  const bob = await connect(gateway.wsUrl, { headers: { 'x-bfl-user': 'bob' } });
  clients.push(bob);
  const welcome = await welcomeOf(bob);
  assert.equal(welcome.user, 'bob');
  assert.deepEqual(welcome.online, ['alice', 'bob'], 'alice connected before the restart');
});

test('a restarted app knows the rooms from the gateway\'s channels: a line reaches the room', async (t) => {
  const appPort = await freeAppPort();
  const gateway = await startGateway({ env: { WS_PORT: String(appPort), WS_URL: '/ws/message' } });
  t.after(() => gateway.stop());
  const clients: RecordingClient[] = [];
  t.after(() => { for (const c of clients) c.socket.terminate(); });
  const quiet = { log: () => undefined, warn: () => undefined };

  let app: ChatApp = await startChatApp({ port: appPort, gatewayUrl: gateway.baseUrl, ...quiet });
  const alice = await connect(gateway.wsUrl, { headers: { 'x-bfl-user': 'alice' } });
  const bob = await connect(gateway.wsUrl, { headers: { 'x-bfl-user': 'bob' } });
  clients.push(alice, bob);
  await welcomeOf(alice);
  await welcomeOf(bob);
  alice.send(chatMessage('join', { room: 'lobby' }));
  await frameOf(alice, (m) => m.type === 'room');
  bob.send(chatMessage('join', { room: 'lobby' }));
  await frameOf(bob, (m) => m.type === 'room');
  await frameOf(alice, (m) => m.type === 'room' && m.joined === 'bob');

  await app.close();
  app = await startChatApp({ port: appPort, gatewayUrl: gateway.baseUrl, ...quiet });
  t.after(() => app.close());

  bob.send(chatMessage('say', { text: 'after the restart' }));
  const said = { type: 'said', room: 'lobby', from: 'bob', text: 'after the restart' };
  assert.deepEqual(await frameOf(alice, (m) => m.type === 'said'), said);
  assert.deepEqual(await frameOf(bob, (m) => m.type === 'said'), said, 'the sender\'s answer, inline');
});
