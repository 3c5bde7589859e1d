import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decideInlineReply } from './inline-reply.ts';

test('only a 2xx answer with X-Tapr-Ws-Reply: 1 is a reply; octet-stream makes it binary', () => {
  assert.equal(decideInlineReply(200, {}), undefined, 'no header: Olares answers like {"code":0} stay ignored');
  assert.equal(decideInlineReply(200, { 'x-tapr-ws-reply': '0' }), undefined);
  assert.equal(decideInlineReply(200, { 'x-tapr-ws-reply': 'true' }), undefined);
  assert.equal(decideInlineReply(500, { 'x-tapr-ws-reply': '1' }), undefined);
  assert.equal(decideInlineReply(302, { 'x-tapr-ws-reply': '1' }), undefined);
  assert.deepEqual(decideInlineReply(200, { 'x-tapr-ws-reply': '1', 'content-type': 'application/json' }), { binary: false });
  assert.deepEqual(decideInlineReply(204, { 'x-tapr-ws-reply': ' 1 ' }), { binary: false });
  assert.deepEqual(decideInlineReply(200, { 'x-tapr-ws-reply': '1' }), { binary: false }, 'no Content-Type: text');
  assert.deepEqual(decideInlineReply(201, { 'x-tapr-ws-reply': ['1', '1'], 'content-type': 'Application/Octet-Stream; x=y' }), { binary: true });
  assert.deepEqual(decideInlineReply(200, { 'x-tapr-ws-reply': '1', 'content-type': 'text/plain' }), { binary: false });
});
