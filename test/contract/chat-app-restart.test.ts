// The chat app restarted behind a running gateway still knows who is online (it resyncs from the control API `list`).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startChatApp, type ChatApp } from '../../examples/chat/app.ts';
import { startGateway } from '../support/gateway-process.ts';
import { startAppServer } from '../support/app-server.ts';
import { connect, type RecordingClient } from '../support/ws-client.ts';

async function freeAppPort(): Promise<number> {
  const probe = await startAppServer();
  const { port } = probe;
  await probe.close();
  return port;
}

function welcomeOf(client: RecordingClient): Promise<{ type: string; user: string; online: string[] }> {
  return client.waitForMessages(1, 15_000).then(([first]) => JSON.parse(String(first)) as { type: string; user: string; online: string[] });
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
