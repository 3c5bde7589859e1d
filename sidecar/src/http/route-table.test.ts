import { test } from 'node:test';
import assert from 'node:assert/strict';
import { jsonReply } from './http-reply.ts';
import { matchRoute, type RouteGroup } from './route-table.ts';

const ok = () => jsonReply(200, {});
const refuse = () => jsonReply(403, {});
const control: RouteGroup = { prefix: '/tapr/ws/conn', guard: refuse, refuseOtherMethods: true, routes: { '/send': { POST: ok }, '/list': { GET: ok } } };
const health: RouteGroup = { prefix: '', refuseOtherMethods: false, routes: { '/healthz': { GET: ok } } };
const groups = [control, health];

test('exact paths find their handler; HEAD is answered by GET', () => {
  assert.equal(matchRoute(groups, 'POST', '/tapr/ws/conn/send').kind, 'handler');
  assert.equal(matchRoute(groups, 'GET', '/healthz').kind, 'handler');
  assert.equal(matchRoute(groups, 'HEAD', '/healthz').kind, 'handler');
  assert.equal(matchRoute(groups, 'HEAD', '/tapr/ws/conn/list').kind, 'handler');
});

test('no trailing slash, no decoding, no prefix tricks', () => {
  for (const path of ['/healthz/', '/tapr/ws/conn/send/', '/tapr/ws/conn/s%65nd', '/tapr/ws/connx/send', '/HEALTHZ', '/constructor', '/tapr/ws/conn/constructor']) {
    assert.equal(matchRoute(groups, 'POST', path).kind === 'handler', false, path);
  }
});

test('a guarded group guards every path it owns, known or not; other paths are not guarded', () => {
  assert.equal(matchRoute(groups, 'GET', '/tapr/ws/conn/nope').guard, refuse);
  assert.equal(matchRoute(groups, 'GET', '/tapr/ws/conn').guard, refuse);
  assert.equal(matchRoute(groups, 'PUT', '/tapr/ws/conn/send').guard, refuse);
  assert.equal(matchRoute(groups, 'GET', '/healthz').guard, undefined);
  assert.equal(matchRoute(groups, 'GET', '/elsewhere').guard, undefined);
});

test('another method on a known path: 405 where the group says so, 404 elsewhere', () => {
  assert.equal(matchRoute(groups, 'GET', '/tapr/ws/conn/send').kind, 'method-not-allowed');
  assert.equal(matchRoute(groups, 'DELETE', '/tapr/ws/conn/list').kind, 'method-not-allowed');
  assert.equal(matchRoute(groups, 'POST', '/healthz').kind, 'not-found');
  assert.equal(matchRoute(groups, 'GET', '/nowhere').kind, 'not-found');
});
