// Unit tests for the WebSocket-over-HTTP event codec the Pushpin backend speaks. Pure.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeEvents, parseEvents, subscribeEvent } from './ws-over-http.ts';

void test('events round-trip, with byte (not character) lengths in hex', () => {
  const events = [{ type: 'OPEN' }, { type: 'TEXT', content: 'héllo, wörld' }, { type: 'CLOSE', content: '\u0003\u00e8' }];
  const body = encodeEvents(events);
  assert.match(body, /^OPEN\r\nTEXT e\r\n/);
  assert.deepEqual(parseEvents(Buffer.from(body)), events);
});

void test('a truncated event is an error, not a shorter message', () => {
  assert.throws(() => parseEvents(Buffer.from('TEXT 10\r\nshort\r\n')), /do not fit/);
  assert.throws(() => parseEvents(Buffer.from('OPEN')), /without CRLF/);
});

void test('the subscribe control message is a c:-prefixed TEXT event', () => {
  assert.deepEqual(subscribeEvent('bench'), { type: 'TEXT', content: 'c:{"type":"subscribe","channel":"bench"}' });
});
