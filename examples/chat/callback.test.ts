// Unit tests of the gateway callback parser: accepted shapes and the field named on bad input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCallback } from './callback.ts';

const base = { conn_id: 'c1', user_name: 'alice', token: 'secret', access_public: false };

test('open, message and close become chat events without the token', () => {
  assert.deepEqual(parseCallback({ ...base, action: 'open', data: {} }), { ok: true, event: { kind: 'open', connId: 'c1', user: 'alice' } });
  assert.deepEqual(parseCallback({ ...base, action: 'message', data: { type: 'say', text: 'hi' } }), {
    ok: true, event: { kind: 'message', connId: 'c1', user: 'alice', data: { type: 'say', text: 'hi' } },
  });
  assert.deepEqual(parseCallback({ ...base, action: 'close', data: {}, code: 1000, reason: 'closed by app' }), {
    ok: true, event: { kind: 'close', connId: 'c1', user: 'alice' },
  });
});

test('a raw text message keeps its string data (the chat then answers with an error)', () => {
  assert.deepEqual(parseCallback({ ...base, action: 'message', data: 'hello', raw: true }), {
    ok: true, event: { kind: 'message', connId: 'c1', user: 'alice', data: 'hello' },
  });
});

test('malformed bodies are refused with the field that is wrong', () => {
  assert.deepEqual(parseCallback([]), { ok: false, error: 'body: expected a JSON object' });
  assert.deepEqual(parseCallback({ ...base, conn_id: '' , action: 'open' }), { ok: false, error: 'conn_id: expected a non-empty string' });
  assert.deepEqual(parseCallback({ ...base, user_name: 7, action: 'open' }), { ok: false, error: 'user_name: expected a string' });
  assert.deepEqual(parseCallback({ ...base, action: 'upgrade' }), { ok: false, error: 'action: expected "open", "message" or "close"' });
});
