import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readAuthTokenCookie } from './auth-token.ts';
import { decideUpgrade, type UpgradeLoad, type UpgradePolicy, type UpgradeRequest } from './decide-upgrade.ts';

const request: UpgradeRequest = {
  method: 'GET', url: '/ws', upgrade: 'websocket', connection: 'Upgrade', key: 'dGhlIHNhbXBsZSBub25jZQ==', version: '13', protocol: undefined,
  origin: undefined, user: ['alice'], peerTrusted: true, peer: '127.0.0.1', cookie: undefined,
};
const policy: UpgradePolicy = { userHeader: 'x-bfl-user', allowedOrigins: [], requireUser: false, maxConnections: 0, maxConnectionsPerUser: 0 };
const load: UpgradeLoad = { draining: false, connections: 0, connectionsOfUser: () => 0 };
const token = () => 'fresh-token';

const status = (r: Partial<UpgradeRequest>, p: Partial<UpgradePolicy> = {}, l: Partial<UpgradeLoad> = {}) => {
  const decision = decideUpgrade({ ...request, ...r }, { ...policy, ...p }, { ...load, ...l }, token);
  return decision.kind === 'reject' ? decision.status : 101;
};

test('accepts an anonymous client as user "" with a fresh public token', () => {
  assert.deepEqual(decideUpgrade({ ...request, user: [] }, policy, load, token), { kind: 'accept', userName: '', token: 'fresh-token', accessPublic: true });
});

test('the auth_token cookie becomes the token and makes the connection non-public', () => {
  assert.deepEqual(decideUpgrade({ ...request, cookie: 'a=1; auth_token=abc; b=2' }, policy, load, token), { kind: 'accept', userName: 'alice', token: 'abc', accessPublic: false });
});

test('refusals carry the status SPEC A1/A2 name', () => {
  assert.equal(status({ url: '/other' }), 404);
  assert.equal(status({ url: '/ws?x=1' }), 101);
  // RFC 6455 §4.4 (F14): an unsupported version is 426 with Sec-WebSocket-Version: 13 (it was 400 before).
  assert.equal(status({ version: '8' }), 426);
  assert.equal(status({ key: 'short' }), 400);
  assert.equal(status({}, {}, { draining: true }), 503);
  assert.equal(status({ origin: 'https://evil.example' }, { allowedOrigins: ['https://app.example'] }), 403);
  assert.equal(status({ origin: 'https://app.example' }, { allowedOrigins: ['https://app.example'] }), 101);
  assert.equal(status({ origin: undefined }, { allowedOrigins: ['https://app.example'] }), 101, 'no Origin: not a browser, allowed');
  assert.equal(status({ user: [] }, { requireUser: true }), 401);
  assert.equal(status({ user: ['  '] }, { requireUser: true }), 401);
  assert.equal(status({}, { maxConnections: 2 }, { connections: 2 }), 503);
  assert.equal(status({}, { maxConnections: 2 }, { connections: 1 }), 101);
  assert.equal(status({}, { maxConnectionsPerUser: 1 }, { connectionsOfUser: () => 1 }), 429);
  assert.equal(status({ user: [] }, { maxConnectionsPerUser: 1 }, { connectionsOfUser: () => 5 }), 101, 'anonymous users are not limited per user');
});

test('every check ws makes on a handshake is made before the app is asked (F5, F14)', () => {
  const rejection = (r: Partial<UpgradeRequest>) => decideUpgrade({ ...request, ...r }, policy, load, token);
  assert.deepEqual(rejection({ method: 'POST' }), { kind: 'reject', status: 405, message: 'a WebSocket upgrade must use GET, not POST', headers: { Allow: 'GET' } });
  assert.equal(status({ upgrade: 'h2c' }), 400);
  assert.equal(status({ upgrade: undefined }), 400);
  assert.equal(status({ upgrade: 'WebSocket' }), 101, 'the Upgrade token is case-insensitive');
  assert.equal(status({ connection: 'keep-alive' }), 400);
  assert.equal(status({ connection: 'keep-alive, Upgrade' }), 101);
  assert.equal(status({ key: undefined }), 400);
  for (const version of ['8', '99', undefined, '']) {
    assert.deepEqual(rejection({ version }), { kind: 'reject', status: 426, message: 'unsupported Sec-WebSocket-Version: expected 13', headers: { 'Sec-WebSocket-Version': '13' } });
  }
  for (const protocol of ['a,,b', 'a, a', 'a b', ',a', 'a,', 'a;b', '']) assert.equal(status({ protocol }), 400, `Sec-WebSocket-Protocol ${JSON.stringify(protocol)}`);
  for (const protocol of ['a', 'a, b', 'chat.v2,chat.v1', 'a ,\tb']) assert.equal(status({ protocol }), 101, `Sec-WebSocket-Protocol ${JSON.stringify(protocol)}`);
});

test('the user header: one value from a trusted peer; more than one is 400, any from an untrusted peer is 403 (F12)', () => {
  const rejection = (r: Partial<UpgradeRequest>) => decideUpgrade({ ...request, ...r }, policy, load, token);
  assert.deepEqual(rejection({ user: ['mallory', 'alice', ''] }), { kind: 'reject', status: 400, message: 'x-bfl-user was sent 3 times; expected at most one' });
  assert.deepEqual(rejection({ user: ['admin'], peerTrusted: false, peer: '192.0.2.1' }), { kind: 'reject', status: 403, message: 'peer 192.0.2.1 may not set x-bfl-user: only WS_TRUSTED_PROXIES may' });
  assert.equal(status({ user: [], peerTrusted: false }), 101, 'an untrusted peer without the header is anonymous');
  assert.equal(status({ user: [], peerTrusted: false }, { requireUser: true }), 401);
});

test('reads the auth_token cookie like Go net/http', () => {
  assert.equal(readAuthTokenCookie(undefined), undefined);
  assert.equal(readAuthTokenCookie('x=1'), undefined);
  assert.equal(readAuthTokenCookie('auth_token='), undefined);
  assert.equal(readAuthTokenCookie('my_auth_token=no; auth_token=yes'), 'yes');
  assert.equal(readAuthTokenCookie('auth_token="quoted"'), 'quoted');
});
