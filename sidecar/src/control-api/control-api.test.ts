import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decideControlAccess, isLoopbackAddress } from './control-guard.ts';
import { parseCloseCommand, parseSendCommand } from './request-schemas.ts';

test('loopback peers are recognised in every notation', () => {
  for (const address of ['127.0.0.1', '127.255.0.9', '::1', '::ffff:127.0.0.1']) assert.equal(isLoopbackAddress(address), true, address);
  for (const address of ['10.0.0.1', '192.0.2.1', '::ffff:10.0.0.1', 'fe80::1', '', undefined, '128.0.0.1']) assert.equal(isLoopbackAddress(address), false, String(address));
});

test('non-loopback callers need the configured bearer token', () => {
  assert.deepEqual(decideControlAccess('127.0.0.1', undefined, ''), { allowed: true });
  assert.equal(decideControlAccess('192.0.2.1', undefined, '').allowed, false);
  assert.equal(decideControlAccess('192.0.2.1', 'Bearer s3cret', '').allowed, false, 'no token configured: nobody remote');
  assert.equal(decideControlAccess('192.0.2.1', 'Bearer s3cret', 's3cret').allowed, true);
  assert.equal(decideControlAccess('192.0.2.1', 'bearer   s3cret', 's3cret').allowed, true);
  assert.equal(decideControlAccess('192.0.2.1', 'Bearer s3cre', 's3cret').allowed, false);
  assert.equal(decideControlAccess('192.0.2.1', 's3cret', 's3cret').allowed, false);
});

test('send accepts any JSON payload, including null, with AND targets', () => {
  const parsed = parseSendCommand({ payload: null, users: ['a'], tokens: ['t'], users_access_type: 2, extra: 'ignored' });
  assert.deepEqual(parsed, { ok: true, value: { payload: null, targets: { connIds: undefined, users: ['a'], tokens: ['t'], accessType: 2 } } });
  const binary = parseSendCommand({ payload_base64: 'AP8=', conn_id: 'c' });
  assert.deepEqual(binary, { ok: true, value: { payloadBase64: 'AP8=', targets: { connIds: ['c'], users: undefined, tokens: undefined, accessType: 0 } } });
});

const badSends: [unknown, string][] = [
  [[], 'body'],
  ['text', 'body'],
  [null, 'body'],
  [{ users: ['a'] }, 'payload'],
  [{ payload: 1 }, 'conn_id, users, tokens'],
  [{ payload: 1, users: [], tokens: [''], conn_id: '' }, 'conn_id, users, tokens'],
  [{ payload: 1, conn_id: 5 }, 'conn_id'],
  [{ payload: 1, users: 'alice' }, 'users'],
  [{ payload: 1, users: ['a', 2] }, 'users.1'],
  [{ payload: 1, tokens: {} }, 'tokens'],
  [{ payload: 1, users: ['a'], users_access_type: 3 }, 'users_access_type'],
  [{ payload: 1, users: ['a'], users_access_type: '1' }, 'users_access_type'],
  [{ payload: 1, payload_base64: 'AA==', users: ['a'] }, 'payload, payload_base64'],
  [{ payload_base64: 'not base64!', users: ['a'] }, 'payload_base64'],
  [{ payload_base64: 12, users: ['a'] }, 'payload_base64'],
];

for (const [body, field] of badSends) {
  test(`send rejects ${JSON.stringify(body)} naming ${field}`, () => {
    const result = parseSendCommand(body);
    assert.equal(result.ok, false);
    assert.ok((result as { message: string }).message.startsWith(`${field}: `), (result as { message: string }).message);
  });
}

test('close requires a target and validates its lists', () => {
  assert.deepEqual(parseCloseCommand({ conns: ['c1'] }), { ok: true, value: { targets: { connIds: ['c1'], users: undefined, tokens: undefined, accessType: 0 } } });
  assert.match((parseCloseCommand({}) as { message: string }).message, /^conns, users, tokens: at least one target/);
  assert.match((parseCloseCommand({ conns: [1] }) as { message: string }).message, /^conns\.0: /);
  assert.match((parseCloseCommand({ users: 'bob' }) as { message: string }).message, /^users: /);
});

test('nesting depth is measured without recursion, scalars 0, [] and {} 1', async () => {
  const { isNestedDeeperThan } = await import('./json-depth.ts');
  assert.equal(isNestedDeeperThan(1, 0), false);
  assert.equal(isNestedDeeperThan([], 0), true);
  assert.equal(isNestedDeeperThan([[]], 2), false);
  assert.equal(isNestedDeeperThan({ a: [{ b: 1 }] }, 2), true);
  assert.equal(isNestedDeeperThan({ a: [{ b: 1 }] }, 3), false);
  let deep: unknown = null;
  for (let i = 0; i < 1_000_000; i++) deep = [deep];
  assert.equal(isNestedDeeperThan(deep, 1000), true);
  assert.match((parseSendCommand({ users: ['u'], payload: deep }) as { message: string }).message, /^payload: nested too deeply \(max 1000 levels\)$/);
});

test('browsers are told apart from apps by Origin, Sec-Fetch-* and, for loopback callers, Host', async () => {
  const { decideBrowserGuard } = await import('./browser-guard.ts');
  assert.deepEqual(decideBrowserGuard({ host: '127.0.0.1:40010', 'sec-fetch-mode': 'cors' }, true), { allowed: true });
  assert.deepEqual(decideBrowserGuard({ host: 'chat-ws:40010' }, false), { allowed: true });
  assert.equal(decideBrowserGuard({ host: 'chat-ws:40010' }, true).allowed, false);
  assert.equal(decideBrowserGuard({ host: 'localhost', origin: 'null' }, true).allowed, false);
  assert.equal(decideBrowserGuard({ host: 'localhost', 'sec-fetch-site': 'none' }, false).allowed, false);
  assert.equal(decideBrowserGuard({ host: '[::ffff:127.0.0.1]:1' }, true).allowed, true);
  assert.equal(decideBrowserGuard({ host: '[::2]' }, true).allowed, false);
  assert.equal(decideBrowserGuard({}, true).allowed, false);
});
