import { test } from 'node:test';
import assert from 'node:assert/strict';
import { probeUrl } from './probe.ts';

test('the probe asks the same path and query over HTTP(S)', () => {
  assert.equal(probeUrl('ws://app.example/ws/doc/17?x=1#top'), 'http://app.example/ws/doc/17?x=1');
  assert.equal(probeUrl('wss://app.example:8443/ws'), 'https://app.example:8443/ws');
});
