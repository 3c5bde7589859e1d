// Unit tests of the dev proxy's session cookies and upgrade head rewriting (identity cannot be forged).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildSessionValue, buildUpgradeHead, parseCookies, readSessionUser } from './proxy-auth.ts';

const key = Buffer.alloc(32, 7);

test('a signed session cookie gives back its user; a forged or foreign one gives null', () => {
  const value = buildSessionValue('alice', key);
  assert.equal(readSessionUser(`theme=dark; demo_user=${value}; auth_token=abc`, key), 'alice');
  assert.equal(readSessionUser(`demo_user=${value.replace('alice', 'admin')}`, key), null);
  assert.equal(readSessionUser(`demo_user=admin`, key), null);
  assert.equal(readSessionUser(`demo_user=${value}`, Buffer.alloc(32, 8)), null, 'a cookie from another proxy run');
  assert.equal(readSessionUser(undefined, key), null);
});

test('cookies parse by name, first one wins', () => {
  assert.deepEqual([...parseCookies(' a=1; b = 2 ;a=3; junk; c=x=y')], [['a', '1'], ['b', '2'], ['c', 'x=y']]);
});

test('the upgrade head drops every client-sent user header and adds the authenticated one', () => {
  const head = buildUpgradeHead({
    method: 'GET',
    url: '/ws?x=1',
    httpVersion: '1.1',
    rawHeaders: ['Host', '127.0.0.1:8080', 'X-Bfl-User', 'admin', 'Upgrade', 'websocket', 'x-bfl-user', 'root', 'Cookie', 'auth_token=t'],
  }, 'bob', 'X-Bfl-User');
  assert.equal(head, 'GET /ws?x=1 HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nUpgrade: websocket\r\nCookie: auth_token=t\r\nX-Bfl-User: bob\r\n\r\n');
});
