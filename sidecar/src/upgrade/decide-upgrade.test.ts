import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readAuthTokenCookie } from './auth-token.ts';
import { decideUpgrade, type UpgradeLoad, type UpgradePolicy, type UpgradeRequest } from './decide-upgrade.ts';

const request: UpgradeRequest = { url: '/ws', origin: undefined, user: 'alice', cookie: undefined, key: 'dGhlIHNhbXBsZSBub25jZQ==', version: '13' };
const policy: UpgradePolicy = { allowedOrigins: [], requireUser: false, maxConnections: 0, maxConnectionsPerUser: 0 };
const load: UpgradeLoad = { draining: false, connections: 0, connectionsOfUser: () => 0 };
const token = () => 'fresh-token';

const status = (r: Partial<UpgradeRequest>, p: Partial<UpgradePolicy> = {}, l: Partial<UpgradeLoad> = {}) => {
  const decision = decideUpgrade({ ...request, ...r }, { ...policy, ...p }, { ...load, ...l }, token);
  return decision.kind === 'reject' ? decision.status : 101;
};

test('accepts an anonymous client as user "" with a fresh public token', () => {
  assert.deepEqual(decideUpgrade({ ...request, user: undefined }, policy, load, token), { kind: 'accept', userName: '', token: 'fresh-token', accessPublic: true });
});

test('the auth_token cookie becomes the token and makes the connection non-public', () => {
  assert.deepEqual(decideUpgrade({ ...request, cookie: 'a=1; auth_token=abc; b=2' }, policy, load, token), { kind: 'accept', userName: 'alice', token: 'abc', accessPublic: false });
});

test('refusals carry the status SPEC A1/A2 name', () => {
  assert.equal(status({ url: '/other' }), 404);
  assert.equal(status({ url: '/ws?x=1' }), 101);
  assert.equal(status({ version: '8' }), 400);
  assert.equal(status({ key: 'short' }), 400);
  assert.equal(status({}, {}, { draining: true }), 503);
  assert.equal(status({ origin: 'https://evil.example' }, { allowedOrigins: ['https://app.example'] }), 403);
  assert.equal(status({ origin: 'https://app.example' }, { allowedOrigins: ['https://app.example'] }), 101);
  assert.equal(status({ origin: undefined }, { allowedOrigins: ['https://app.example'] }), 101, 'no Origin: not a browser, allowed');
  assert.equal(status({ user: undefined }, { requireUser: true }), 401);
  assert.equal(status({ user: '  ' }, { requireUser: true }), 401);
  assert.equal(status({}, { maxConnections: 2 }, { connections: 2 }), 503);
  assert.equal(status({}, { maxConnections: 2 }, { connections: 1 }), 101);
  assert.equal(status({}, { maxConnectionsPerUser: 1 }, { connectionsOfUser: () => 1 }), 429);
  assert.equal(status({ user: undefined }, { maxConnectionsPerUser: 1 }, { connectionsOfUser: () => 5 }), 101, 'anonymous users are not limited per user');
});

test('reads the auth_token cookie like Go net/http', () => {
  assert.equal(readAuthTokenCookie(undefined), undefined);
  assert.equal(readAuthTokenCookie('x=1'), undefined);
  assert.equal(readAuthTokenCookie('auth_token='), undefined);
  assert.equal(readAuthTokenCookie('my_auth_token=no; auth_token=yes'), 'yes');
  assert.equal(readAuthTokenCookie('auth_token="quoted"'), 'quoted');
});
