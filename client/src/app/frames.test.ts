// Unit tests of the kit's wire conventions: event frames, $reply, the callback answer, channel names.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertChannelNames, buildAnswer, buildReplyFrame, readEventFrame, readRequestId, REPLY_HEADER } from './frames.ts';

test('event frames are objects with a string event; the request id is the data\'s $id', () => {
  assert.deepEqual(readEventFrame({ event: 'chat', data: { text: 'hi' } }), { event: 'chat', data: { text: 'hi' } });
  for (const other of [null, 'chat', ['chat'], { type: 'chat' }, { event: 7 }]) assert.equal(readEventFrame(other), undefined);
  assert.equal(readRequestId({ $id: 'r1', q: 1 }), 'r1');
  assert.equal(readRequestId({ $id: 1 }), undefined);
});

test('a $reply carries the request\'s $id over the result (a non-object result goes under value)', () => {
  assert.deepEqual(buildReplyFrame('r1', { sum: 3, $id: 'forged' }), { event: '$reply', data: { sum: 3, $id: 'r1' } });
  assert.deepEqual(buildReplyFrame('r2', [1]), { event: '$reply', data: { value: [1], $id: 'r2' } });
});

test('the answer is a reply, else the open subscriptions, else Olares\' success', () => {
  assert.deepEqual(buildAnswer({ reply: { event: 'e', data: 1 }, subscribe: ['a'] }), {
    status: 200, headers: { 'content-type': 'application/json', [REPLY_HEADER]: '1' }, body: '{"event":"e","data":1}',
  });
  assert.equal(buildAnswer({ subscribe: ['room:1'] }).body, '{"subscribe":["room:1"]}');
  assert.equal(buildAnswer({ subscribe: [] }).body, '{"code":0,"message":"success"}');
});

test('channel names the gateway would refuse throw, naming the position', () => {
  assertChannelNames('x', ['room:1', 'a/b@c#d=e.f_g-h']);
  assert.throws(() => assertChannelNames('ctx.subscribe', ['ok', 'no spaces']), /^TypeError: ctx.subscribe: channels\[1\] "no spaces" is not a channel name/);
  assert.throws(() => assertChannelNames('x', ['a'.repeat(201)]), /channels\[0\]/);
  assert.throws(() => assertChannelNames('x', ['']), /channels\[0\] ""/);
});
