import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decideInlineReply } from './inline-reply.ts';

test('only a 2xx answer with X-Tapr-Ws-Reply: 1 is a reply; octet-stream makes it binary', () => {
  assert.deepEqual(decideInlineReply(200, {}), { kind: 'ignore' }, 'no header: Olares answers like {"code":0} stay ignored');
  assert.deepEqual(decideInlineReply(200, { 'x-tapr-ws-reply': '0' }), { kind: 'ignore' });
  assert.deepEqual(decideInlineReply(200, { 'x-tapr-ws-reply': 'true' }), { kind: 'ignore' });
  assert.deepEqual(decideInlineReply(500, { 'x-tapr-ws-reply': '1' }), { kind: 'ignore' });
  assert.deepEqual(decideInlineReply(302, { 'x-tapr-ws-reply': '1' }), { kind: 'ignore' });
  assert.deepEqual(decideInlineReply(200, { 'x-tapr-ws-reply': '1', 'content-type': 'application/json' }), { kind: 'reply', binary: false });
  assert.deepEqual(decideInlineReply(204, { 'x-tapr-ws-reply': ' 1 ' }), { kind: 'reply', binary: false });
  assert.deepEqual(decideInlineReply(200, { 'x-tapr-ws-reply': '1' }), { kind: 'reply', binary: false }, 'no Content-Type: text');
  assert.deepEqual(decideInlineReply(201, { 'x-tapr-ws-reply': ['1', '1'], 'content-type': 'Application/Octet-Stream; x=y' }), { kind: 'reply', binary: true });
  assert.deepEqual(decideInlineReply(200, { 'x-tapr-ws-reply': '1', 'content-type': 'text/plain' }), { kind: 'reply', binary: false });
});
