import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decideNextStep } from './close-policy.ts';

const after = (code: number, extra: { opened?: boolean; probeStatus?: number; reason?: string } = {}) =>
  decideNextStep({ code, reason: extra.reason ?? '', opened: extra.opened ?? true, probeStatus: extra.probeStatus }).kind;

test('1000 (the app closed it) and 1008/4401/4403 are final', () => {
  for (const code of [1000, 1008, 4401, 4403]) assert.equal(after(code), 'final', String(code));
});

test('1001 waits out the drain window, 4408 reconnects at once, 1013 backs off from the busy floor', () => {
  assert.equal(after(1001), 'drain');
  assert.equal(after(4408), 'now');
  assert.equal(after(1013), 'busy');
});

test('a refused upgrade: 401/403 are final, 429/503 busy, 426 (would be accepted) or no answer back off', () => {
  assert.equal(after(1006, { opened: false, probeStatus: 401 }), 'final');
  assert.equal(after(1006, { opened: false, probeStatus: 403 }), 'final');
  assert.equal(after(1006, { opened: false, probeStatus: 429 }), 'busy');
  assert.equal(after(1006, { opened: false, probeStatus: 503 }), 'busy');
  assert.equal(after(1006, { opened: false, probeStatus: 426 }), 'backoff');
  assert.equal(after(1006, { opened: false }), 'backoff');
  assert.equal(after(1011), 'backoff');
});

test('the final reason names the code and what the server said', () => {
  assert.deepEqual(decideNextStep({ code: 4403, reason: 'banned', opened: true }), { kind: 'final', why: 'closed with 4403 (banned)' });
  assert.deepEqual(decideNextStep({ code: 1006, reason: '', opened: false, probeStatus: 401 }), { kind: 'final', why: 'upgrade refused with HTTP 401' });
  assert.deepEqual(decideNextStep({ code: 1000, reason: 'closed by app', opened: true }), { kind: 'final', why: 'closed by app' });
});
