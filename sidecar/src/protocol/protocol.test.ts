import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildCloseBody, buildMessageBody, buildOpenBody } from './callback-body.ts';
import { parseClientFrame } from './client-frame.ts';

const who = { connId: 'c1', userName: 'alice "the" user', token: 't1', accessPublic: false, path: '/ws', query: '' };

test('classifies keep-alive pings only for JSON objects with event "ping"', () => {
  assert.deepEqual(parseClientFrame(Buffer.from('{"event":"ping"}'), false), { kind: 'ping' });
  assert.deepEqual(parseClientFrame(Buffer.from(' {"event":"ping","t":1} '), false), { kind: 'ping' });
  assert.equal(parseClientFrame(Buffer.from('["ping"]'), false).kind, 'json');
  assert.equal(parseClientFrame(Buffer.from('{"event":"pong"}'), false).kind, 'json');
  assert.equal(parseClientFrame(Buffer.from('{"event":"ping"}'), true).kind, 'binary');
});

test('keeps JSON, text and binary content (Olares turned them into {})', () => {
  assert.deepEqual(parseClientFrame(Buffer.from('[1,2]'), false), { kind: 'json', json: '[1,2]' });
  assert.deepEqual(parseClientFrame(Buffer.from('42'), false), { kind: 'json', json: '42' });
  assert.deepEqual(parseClientFrame(Buffer.from('hello {'), false), { kind: 'text', text: 'hello {' });
  assert.deepEqual(parseClientFrame(Buffer.from([0, 255]), true), { kind: 'binary', base64: 'AP8=' });
});

test('open body has the Olares shape', () => {
  assert.deepEqual(JSON.parse(buildOpenBody(who)), {
    action: 'open', conn_id: 'c1', user_name: 'alice "the" user', data: {}, token: 't1', access_public: false, path: '/ws', query: '',
  });
});

test('message body splices JSON verbatim, so large numbers keep every digit', () => {
  const body = buildMessageBody(who, { kind: 'json', json: '{"n":12345678901234567890}' });
  assert.ok(body.includes('"data":{"n":12345678901234567890}'));
  assert.deepEqual(Object.keys(JSON.parse(body) as object), ['action', 'conn_id', 'user_name', 'data', 'token', 'access_public', 'path', 'query']);
});

test('raw text and binary bodies are flagged', () => {
  assert.deepEqual(JSON.parse(buildMessageBody(who, { kind: 'text', text: 'a"b\n' })), {
    action: 'message', conn_id: 'c1', user_name: who.userName, data: 'a"b\n', token: 't1', access_public: false, path: '/ws', query: '', raw: true,
  });
  const binary = JSON.parse(buildMessageBody({ ...who, accessPublic: true }, { kind: 'binary', base64: 'AP8=' })) as Record<string, unknown>;
  assert.equal(binary.data, 'AP8=');
  assert.equal(binary.binary, true);
  assert.equal(binary.access_public, true);
});

test('close body carries code, reason and the channels the connection was in (SPEC A10)', () => {
  assert.deepEqual(JSON.parse(buildCloseBody(who, { code: 4408, reason: 'idle timeout' })), {
    action: 'close', conn_id: 'c1', user_name: who.userName, data: {}, token: 't1', access_public: false, path: '/ws', query: '', code: 4408, reason: 'idle timeout', channels: [],
  });
  assert.deepEqual((JSON.parse(buildCloseBody(who, { code: 1000, reason: '' }, ['doc:1', 'room:"x"'])) as { channels: unknown }).channels, ['doc:1', 'room:"x"']);
});

test('every body carries the endpoint path and the raw query (SPEC A11)', () => {
  const at = { ...who, path: '/ws/doc/17', query: 'a=1&b=%20"x"' };
  for (const body of [buildOpenBody(at), buildMessageBody(at, { kind: 'json', json: '1' }), buildCloseBody(at, { code: 1000, reason: '' })]) {
    const parsed = JSON.parse(body) as Record<string, unknown>;
    assert.equal(parsed.path, '/ws/doc/17');
    assert.equal(parsed.query, 'a=1&b=%20"x"');
  }
});
