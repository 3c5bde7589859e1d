// Unit tests of the callback body check: each action's shape, defaults for gateways without A10/A11, the field named on bad input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCallbackBody } from './callback-body.ts';

const base = { conn_id: 'c1', user_name: 'alice', token: 't', access_public: false, path: '/ws/chat', query: 'room=1' };

test('open, message and close are accepted with their own fields', () => {
  assert.deepEqual(parseCallbackBody({ ...base, action: 'open', data: {} }), { ok: true, body: { ...base, action: 'open' } });
  assert.deepEqual(parseCallbackBody({ ...base, action: 'message', data: 'hi', raw: true }), { ok: true, body: { ...base, action: 'message', data: 'hi', raw: true, binary: false } });
  assert.deepEqual(parseCallbackBody({ ...base, action: 'close', data: {}, code: 1005, reason: '', channels: ['room:1'] }), {
    ok: true, body: { ...base, action: 'close', code: 1005, reason: '', channels: ['room:1'] },
  });
});

test('path, query and channels default for gateways without those extensions (Olares)', () => {
  const { path: _path, query: _query, ...olares } = base;
  assert.deepEqual(parseCallbackBody({ ...olares, action: 'close', data: {}, code: 1000, reason: 'closed by app' }), {
    ok: true, body: { ...olares, path: '/ws', query: '', action: 'close', code: 1000, reason: 'closed by app', channels: [] },
  });
});

test('a bad body names the field and what was expected', () => {
  const cases: [unknown, string][] = [
    [[], 'body: expected a JSON object'],
    [{ ...base, action: 'upgrade' }, 'action: expected "open", "message" or "close"'],
    [{ ...base, action: 'open', conn_id: '' }, 'conn_id: expected a non-empty string'],
    [{ ...base, action: 'open', user_name: 7 }, 'user_name: expected a string'],
    [{ ...base, action: 'open', access_public: 'no' }, 'access_public: expected true or false'],
    [{ ...base, action: 'open', query: null }, 'query: expected a string'],
    [{ ...base, action: 'message' }, 'data: required (any JSON value)'],
    [{ ...base, action: 'message', data: 1, binary: 1 }, 'binary: expected true or false'],
    [{ ...base, action: 'close', code: 99, reason: '' }, 'code: expected a close code 1000-4999'],
    [{ ...base, action: 'close', code: 1000 }, 'reason: expected a string'],
    [{ ...base, action: 'close', code: 1000, reason: '', channels: [1] }, 'channels: expected an array of strings'],
  ];
  for (const [body, error] of cases) assert.deepEqual(parseCallbackBody(body), { ok: false, error }, JSON.stringify(body));
});
