import { test } from 'node:test';
import assert from 'node:assert/strict';
import { selectSubprotocol } from './subprotocol.ts';

test('tapr-ws.v1 is selected wherever it is offered; otherwise the first offered one; none → false', () => {
  assert.equal(selectSubprotocol(new Set(['tapr-ws.v1'])), 'tapr-ws.v1');
  assert.equal(selectSubprotocol(new Set(['chat', 'tapr-ws.v1'])), 'tapr-ws.v1');
  assert.equal(selectSubprotocol(new Set(['chat', 'json'])), 'chat');
  assert.equal(selectSubprotocol(new Set(['TAPR-WS.V1', 'chat'])), 'TAPR-WS.V1', 'subprotocols are case-sensitive (RFC 6455 §4.1)');
  assert.equal(selectSubprotocol(new Set()), false);
});
