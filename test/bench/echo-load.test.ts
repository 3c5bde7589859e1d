// Unit tests for the echo round-trip helpers: message shape, echo recognition, tally of round trips and losses. Pure.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildEchoMessage, EchoRecorder, readEchoSeq } from './echo-load.ts';

void test('an echo is recognised by its seq; other frames are not echoes', () => {
  assert.equal(readEchoSeq(buildEchoMessage(41, 1234.5)), 41);
  assert.equal(readEchoSeq('{"type":"bench","text":"broadcast"}'), undefined);
  assert.equal(readEchoSeq('{"t":1,"i":-1}'), undefined);
  assert.equal(readEchoSeq('{"t":1,'), undefined);
});

void test('round trips are arrival minus send time; missing echoes are lost, repeats unexpected', () => {
  const recorder = new EchoRecorder(3);
  assert.equal(recorder.next(100), 0);
  assert.equal(recorder.next(110), 1);
  assert.equal(recorder.next(120), 2);
  assert.equal(recorder.next(130), undefined);
  recorder.echoed(1, 112);
  recorder.echoed(0, 105);
  recorder.echoed(1, 113);
  recorder.echoed(7, 140);
  assert.deepEqual(recorder.tally(), { sent: 3, received: 2, lost: 1, unexpected: 2, roundTripsMs: [2, 5] });
});
