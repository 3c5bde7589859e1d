// The event maps type handlers and sends: `npm run typecheck` fails if a line marked @ts-expect-error compiles.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createClient } from './client.ts';

interface ServerEvents { chat: { text: string }; joined: { user: string } }
interface ClientEvents { chat: { text: string }; typing: boolean }

/** A WebSocket that never connects: enough to build a client without a network. */
class InertSocket {
  static readonly OPEN = 1;
  readyState = 0;
  binaryType = 'blob';
  onopen: unknown = null;
  onmessage: unknown = null;
  onclose: unknown = null;
  send(): void {}
  close(): void {}
}

test('handlers and sends are typed by the event maps', () => {
  const client = createClient<ServerEvents, ClientEvents>('ws://127.0.0.1:9/ws', { WebSocket: InertSocket as unknown as typeof WebSocket });
  client.on('chat', (message) => message.text.toUpperCase());
  // @ts-expect-error: `joined` carries { user }, not { text }
  client.on('joined', (message) => void message.text);
  // @ts-expect-error: not a server event
  client.on('nope', () => undefined);
  assert.equal(client.send('typing', true, { volatile: true }), 'dropped');
  assert.equal(client.send('chat', { text: 'hi' }), 'queued');
  // @ts-expect-error: chat needs { text: string }
  client.send('chat', 42);
  client.close();
  assert.equal(client.state, 'closed');
  assert.equal(client.send('chat', { text: 'late' }), 'dropped');
});
