import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildTrustedPeer, isCidr } from './trusted-proxies.ts';

test('isCidr accepts IPv4/IPv6 addresses and ranges, and nothing else', () => {
  for (const ok of ['10.0.0.0/8', '192.0.2.1', '0.0.0.0/0', 'fd00::/8', '::1', '::1/128', '2001:db8::/32']) assert.equal(isCidr(ok), true, ok);
  for (const bad of ['', '10.0.0.0/33', '10.0.0/8', 'fd00::/129', 'localhost', '10.0.0.0/', '10.0.0.0/8/8', '10.0.0.0/-1', '1.2.3.4/ 8']) assert.equal(isCidr(bad), false, bad);
});

test('buildTrustedPeer: empty trusts everyone; otherwise only peers inside a range (IPv4-mapped IPv6 too)', () => {
  const anyone = buildTrustedPeer([]);
  assert.equal(anyone('203.0.113.9'), true);
  assert.equal(anyone(undefined), true);
  const trusted = buildTrustedPeer(['10.0.0.0/8', '127.0.0.1', 'fd00::/8']);
  assert.equal(trusted('10.1.2.3'), true);
  assert.equal(trusted('::ffff:10.1.2.3'), true, 'a dual-stack listener reports IPv4 peers mapped');
  assert.equal(trusted('127.0.0.1'), true);
  assert.equal(trusted('127.0.0.2'), false);
  assert.equal(trusted('fd12::1'), true);
  assert.equal(trusted('fe80::1'), false);
  assert.equal(trusted('192.0.2.1'), false);
  assert.equal(trusted(undefined), false);
});
