// A4/A5 control API guard: loopback peers are allowed, a non-loopback peer (192.0.2.1 inside a private network
// namespace) gets 403 unless it sends the WS_CONTROL_TOKEN bearer; health and stats stay reachable from anywhere.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NETNS_PEER_ADDRESS } from '../support/netns.ts';
import { namespaceWithGateway, probeFromNamespace } from '../support/netns-gateway.ts';
import type { ProbeRequest } from '../support/netns-probe.ts';

const TOKEN = 'guard-token-0123456789';



function requests(port: number): ProbeRequest[] {
  const remote = `http://${NETNS_PEER_ADDRESS}:${port}`;
  const local = `http://127.0.0.1:${port}`;
  const sendBody = JSON.stringify({ users: ['nobody'], payload: 1 });
  const json = { 'content-type': 'application/json' };
  return [
    { name: 'loopbackList', url: `${local}/tapr/ws/conn/list` },
    { name: 'loopbackSend', url: `${local}/tapr/ws/conn/send`, method: 'POST', headers: json, body: sendBody },
    { name: 'loopback127_0_0_5', url: `${local}/tapr/ws/conn/list`, localAddress: '127.0.0.5' },
    { name: 'remoteList', url: `${remote}/tapr/ws/conn/list` },
    { name: 'remoteSend', url: `${remote}/tapr/ws/conn/send`, method: 'POST', headers: json, body: sendBody },
    { name: 'remoteClose', url: `${remote}/tapr/ws/conn/close`, method: 'POST', headers: json, body: JSON.stringify({ users: ['nobody'] }) },
    { name: 'remoteWrongToken', url: `${remote}/tapr/ws/conn/list`, headers: { authorization: 'Bearer wrong-token' } },
    { name: 'remoteEmptyBearer', url: `${remote}/tapr/ws/conn/list`, headers: { authorization: 'Bearer ' } },
    { name: 'remoteNotBearer', url: `${remote}/tapr/ws/conn/list`, headers: { authorization: TOKEN } },
    { name: 'remoteTokenList', url: `${remote}/tapr/ws/conn/list`, headers: { authorization: `Bearer ${TOKEN}` } },
    { name: 'remoteTokenSend', url: `${remote}/tapr/ws/conn/send`, method: 'POST', headers: { ...json, authorization: `Bearer ${TOKEN}` }, body: sendBody },
    { name: 'remoteHealthz', url: `${remote}/healthz` },
    { name: 'remoteReadyz', url: `${remote}/readyz` },
    { name: 'remoteStats', url: `${remote}/stats` },
    { name: 'remoteMetrics', url: `${remote}/metrics` },
  ];
}

test('with WS_CONTROL_TOKEN: loopback allowed, non-loopback needs the bearer token, health/stats open to all', async (t) => {
  const { ns, gw } = await namespaceWithGateway(t, { WS_CONTROL_TOKEN: TOKEN });
  const r = await probeFromNamespace(ns, requests(gw.port));
  const status = Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v.error ?? v.status]));
  assert.deepEqual(status, {
    loopbackList: 200,
    loopbackSend: 200,
    loopback127_0_0_5: 200,
    remoteList: 403,
    remoteSend: 403,
    remoteClose: 403,
    remoteWrongToken: 403,
    remoteEmptyBearer: 403,
    remoteNotBearer: 403,
    remoteTokenList: 200,
    remoteTokenSend: 200,
    remoteHealthz: 200,
    remoteReadyz: 200,
    remoteStats: 200,
    remoteMetrics: 200,
  });
  const forbidden = JSON.parse(r.remoteList!.body) as { code: number; message: string };
  assert.equal(forbidden.code, 403);
  assert.deepEqual((JSON.parse(r.remoteTokenSend!.body) as { data: unknown }).data, { matched: 0, sent: 0 });
});

test('without WS_CONTROL_TOKEN: a non-loopback peer gets 403 whatever it sends', async (t) => {
  const { ns, gw } = await namespaceWithGateway(t, {});
  const r = await probeFromNamespace(ns, requests(gw.port));
  assert.equal(r.loopbackList!.status, 200);
  assert.equal(r.remoteList!.status, 403);
  assert.equal(r.remoteTokenList!.status, 403, 'a bearer token is no use when none is configured');
  assert.equal(r.remoteEmptyBearer!.status, 403, 'an empty bearer does not match the empty default');
  assert.equal(r.remoteTokenSend!.status, 403);
  assert.equal(r.remoteHealthz!.status, 200);
});

test('dual-stack listener (WS_GATEWAY_HOST=::): IPv4-mapped loopback and ::1 allowed, IPv4-mapped 192.0.2.1 refused', async (t) => {
  const { ns, gw } = await namespaceWithGateway(t, { WS_GATEWAY_HOST: '::', WS_CONTROL_TOKEN: TOKEN });
  const r = await probeFromNamespace(ns, [
    { name: 'v4Loopback', url: `http://127.0.0.1:${gw.port}/tapr/ws/conn/list` },
    { name: 'v6Loopback', url: `http://[::1]:${gw.port}/tapr/ws/conn/list` },
    { name: 'remote', url: `http://${NETNS_PEER_ADDRESS}:${gw.port}/tapr/ws/conn/list` },
    { name: 'remoteToken', url: `http://${NETNS_PEER_ADDRESS}:${gw.port}/tapr/ws/conn/list`, headers: { authorization: `Bearer ${TOKEN}` } },
  ]);
  const status = Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v.error ?? v.status]));
  assert.deepEqual(status, { v4Loopback: 200, v6Loopback: 200, remote: 403, remoteToken: 200 });
});
