// The chat example on two replicas (two gateways on one Redis backplane, two app processes sharing events): rooms span
// both, and a user whose last two tabs close at the same moment on both replicas is announced gone (the demo's stale
// presence, once seen 3 times in 60 tries).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startChatApp, type ChatApp } from '../../examples/chat/app.ts';
import { startAppServer } from '../support/app-server.ts';
import { startGateway, type GatewayProcess } from '../support/gateway-process.ts';
import { startRedisServer } from '../support/redis-server.ts';
import { BACKPLANE_TEST_ENV } from '../support/replicas.ts';
import { stopGatewayHard } from '../support/stack.ts';
import { connect, type RecordingClient } from '../support/ws-client.ts';
import { waitUntil } from '../support/wait.ts';
import { chatMessage, readChatFrame } from '../support/chat-frames.ts';

type Frame = Record<string, unknown>;

const frames = (client: RecordingClient): Frame[] => client.received.map((frame) => readChatFrame(frame));

async function frameOf(client: RecordingClient, accept: (frame: Frame) => boolean, what: string, from = 0): Promise<Frame> {
  return waitUntil(() => frames(client).slice(from).find(accept), { what, timeoutMs: 10_000 });
}

test('two replicas: rooms span both, and closing a user\'s last tabs on both at once is always announced', async (t) => {
  const redis = await startRedisServer();
  t.after(() => redis.stop());
  const quiet = { log: () => undefined, warn: () => undefined };
  const replicas: { gateway: GatewayProcess; app: ChatApp }[] = [];
  const clients: RecordingClient[] = [];
  t.after(async () => {
    for (const client of clients) client.socket.terminate();
    for (const { gateway, app } of replicas) {
      await stopGatewayHard(gateway);
      await app.close();
    }
  });
  for (const pod of ['chat-a', 'chat-b']) {
    const probe = await startAppServer();
    const appPort = probe.port;
    await probe.close();
    const gateway = await startGateway({ env: { ...BACKPLANE_TEST_ENV, WS_PORT: String(appPort), WS_URL: '/ws/message', WS_REDIS_URL: redis.url, WS_REDIS_PREFIX: `chat:${process.pid}`, POD_NAME: pod } });
    const app = await startChatApp({ port: appPort, gatewayUrl: gateway.baseUrl, redis: { url: redis.url, channel: `chat:${process.pid}:events` }, ...quiet });
    replicas.push({ gateway, app });
  }
  const [a, b] = replicas as [typeof replicas[0], typeof replicas[0]];
  await waitUntil(async () => {
    const stats = await Promise.all(replicas.map(async ({ gateway }) => (await (await fetch(`${gateway.baseUrl}/stats`)).json()) as { backplane?: { replicas: number } }));
    return stats.every((s) => s.backplane?.replicas === 2);
  }, { what: 'both gateways see each other', timeoutMs: 15_000 });

  const as = (user: string, gateway: GatewayProcess) => connect(gateway.wsUrl, { headers: { 'x-bfl-user': user } });
  const bob = await as('bob', a.gateway);
  clients.push(bob);
  await frameOf(bob, (f) => f.type === 'welcome', 'bob welcomed');
  bob.send(chatMessage('join', { room: 'lobby' }));
  await frameOf(bob, (f) => f.type === 'room', 'bob in the lobby');

  for (let round = 0; round < 10; round++) {
    const tabs = [await as('alice', a.gateway), await as('alice', b.gateway)];
    clients.push(...tabs);
    for (const tab of tabs) {
      await frameOf(tab, (f) => f.type === 'welcome', 'alice welcomed');
      tab.send(chatMessage('join', { room: 'lobby' }));
      await frameOf(tab, (f) => f.type === 'room', 'alice in the lobby');
    }
    await frameOf(bob, (f) => f.type === 'presence' && (f.online as string[]).includes('alice'), `round ${round}: bob sees alice online`, 0);
    if (round === 0) {
      // A line from the tab on the other replica reaches bob through the room's channel, once.
      tabs[1]!.send(chatMessage('say', { text: 'hi from b' }));
      await frameOf(bob, (f) => f.type === 'said' && f.text === 'hi from b', 'the line across replicas');
    }
    const seen = bob.received.length;
    for (const tab of tabs) tab.socket.close();
    await Promise.all(tabs.map((tab) => tab.closed));
    const presence = await frameOf(bob, (f) => f.type === 'presence' && !(f.online as string[]).includes('alice'), `round ${round}: bob told that alice left`, seen);
    assert.deepEqual(presence.online, ['bob']);
    await frameOf(bob, (f) => f.type === 'room' && f.left === 'alice', `round ${round}: the lobby told that alice left`, seen);
  }
  assert.equal(frames(bob).filter((f) => f.type === 'said' && f.text === 'hi from b').length, 1);
});
