// A2 identity (F12): more than one user header is refused with 400; with WS_TRUSTED_PROXIES only those peers may
// set it (403 for anyone else, over a real non-loopback peer in a network namespace); a plain GET /ws agrees.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { NETNS_PEER_ADDRESS } from '../support/netns.ts';
import { namespaceWithGateway, probeFromNamespace } from '../support/netns-gateway.ts';
import type { ProbeRequest } from '../support/netns-probe.ts';
import { rawExchange, upgradeRequest } from '../support/raw-socket.ts';
import { startStack } from '../support/stack.ts';
import { sleep } from '../support/wait.ts';


test('two user headers (Node would join them as "mallory, alice") get 400 naming the header, upgrade and plain GET alike', async (t) => {
  const stack = await startStack(t);
  const upgrade = await rawExchange(stack.gw.port, upgradeRequest({ 'X-Bfl-User': ['mallory', 'alice'] }));
  upgrade.socket.destroy();
  assert.equal(upgrade.status, 400);
  assert.deepEqual(JSON.parse(upgrade.body), { code: 400, message: 'x-bfl-user was sent 2 times; expected at most one' });
  const withEmpty = await rawExchange(stack.gw.port, upgradeRequest({ 'X-Bfl-User': ['mallory', 'alice', ''] }));
  withEmpty.socket.destroy();
  assert.equal(withEmpty.status, 400, 'an empty repeat counts too');

  const plain = await rawExchange(stack.gw.port, 'GET /ws HTTP/1.1\r\nHost: gw\r\nX-Bfl-User: mallory\r\nX-Bfl-User: alice\r\nConnection: close\r\n\r\n');
  plain.socket.destroy();
  assert.equal(plain.status, 400);
  assert.match(plain.body, /x-bfl-user was sent 2 times/);

  const one = await stack.connect({ user: 'alice' });
  assert.equal(one.open?.body.user_name, 'alice', 'one header still works');
  await sleep(200);
  assert.ok(!stack.app.callbacks.some((c) => c.body.user_name.includes(',')), 'no joined user name ever reached the app');
});


function upgradeHeaders(user?: string): Record<string, string> {
  return {
    Connection: 'Upgrade',
    Upgrade: 'websocket',
    'Sec-WebSocket-Version': '13',
    'Sec-WebSocket-Key': randomBytes(16).toString('base64'),
    ...(user === undefined ? {} : { 'X-Bfl-User': user }),
  };
}

function identityRequests(port: number): ProbeRequest[] {
  const remote = `http://${NETNS_PEER_ADDRESS}:${port}/ws`;
  const local = `http://127.0.0.1:${port}/ws`;
  return [
    { name: 'remoteWithUser', url: remote, headers: upgradeHeaders('admin') },
    { name: 'remoteEmptyUser', url: remote, headers: upgradeHeaders('') },
    { name: 'remoteAnonymous', url: remote, headers: upgradeHeaders() },
    { name: 'loopbackWithUser', url: local, headers: upgradeHeaders('alice') },
    { name: 'plainRemoteWithUser', url: remote, headers: { 'X-Bfl-User': 'admin' } },
    { name: 'plainRemoteAnonymous', url: remote },
    { name: 'plainLoopbackWithUser', url: local, headers: { 'X-Bfl-User': 'alice' } },
  ];
}


test('WS_TRUSTED_PROXIES=127.0.0.0/8: a non-loopback peer that sets the user header gets 403; without it, it is anonymous', async (t) => {
  const { ns, gw } = await namespaceWithGateway(t, { WS_TRUSTED_PROXIES: '127.0.0.0/8,::1' });
  const r = await probeFromNamespace(ns, identityRequests(gw.port));
  const status = Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v.error ?? v.status]));
  assert.deepEqual(status, {
    remoteWithUser: 403,
    remoteEmptyUser: 403,
    remoteAnonymous: 101,
    loopbackWithUser: 101,
    plainRemoteWithUser: 403,
    plainRemoteAnonymous: 426,
    plainLoopbackWithUser: 426,
  });
  assert.deepEqual(JSON.parse(r.remoteWithUser!.body), { code: 403, message: `peer ${NETNS_PEER_ADDRESS} may not set x-bfl-user: only WS_TRUSTED_PROXIES may` });
  assert.deepEqual(JSON.parse(r.plainRemoteWithUser!.body), JSON.parse(r.remoteWithUser!.body), 'a plain GET gets the verdict the upgrade would');
});

test('WS_TRUSTED_PROXIES with WS_REQUIRE_USER: an untrusted peer without the header gets 401', async (t) => {
  const { ns, gw } = await namespaceWithGateway(t, { WS_TRUSTED_PROXIES: '10.0.0.0/8', WS_REQUIRE_USER: 'true' });
  const r = await probeFromNamespace(ns, [
    { name: 'remoteAnonymous', url: `http://${NETNS_PEER_ADDRESS}:${gw.port}/ws`, headers: upgradeHeaders() },
    { name: 'loopbackWithUser', url: `http://127.0.0.1:${gw.port}/ws`, headers: upgradeHeaders('alice') },
  ]);
  assert.equal(r.remoteAnonymous!.status, 401);
  assert.equal(r.loopbackWithUser!.status, 403, '127.0.0.1 is not in 10.0.0.0/8: the list is exact');
});

test('WS_TRUSTED_PROXIES empty (default, Olares compatibility): any peer may set the user header', async (t) => {
  const { ns, gw } = await namespaceWithGateway(t, {});
  const r = await probeFromNamespace(ns, identityRequests(gw.port));
  assert.equal(r.remoteWithUser!.status, 101);
  assert.equal(r.loopbackWithUser!.status, 101);
  assert.equal(r.plainRemoteWithUser!.status, 426);
});
