import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import WebSocket, { WebSocketServer } from 'ws';
import { encodeWireFrame } from './wire-frame.ts';

test('encoded frames reach a ws client whole, text and binary, across the 7-, 16- and 64-bit length forms', async (t) => {
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });
  const server = createServer();
  const upgraded = new Promise<Duplex>((resolve) => {
    server.on('upgrade', (request, socket, head) => wss.handleUpgrade(request, socket, head, () => resolve(socket)));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.after(() => { wss.close(); server.close(); });
  const client = new WebSocket(`ws://127.0.0.1:${(server.address() as AddressInfo).port}/`);
  t.after(() => client.terminate());
  const received: { data: Buffer; binary: boolean }[] = [];
  client.on('message', (data: Buffer, binary) => received.push({ data, binary }));
  const socket = await upgraded;

  const lengths = [0, 1, 125, 126, 65_535, 65_536, 200_000];
  const sent = lengths.map((length, i) => ({ data: Buffer.alloc(length, i % 2 === 0 ? 'x' : 0xfe), binary: i % 2 === 1 }));
  for (const frame of sent) socket.write(encodeWireFrame(frame));
  while (received.length < sent.length) await once(client, 'message');

  assert.deepEqual(received.map((m) => [m.data.length, m.binary]), sent.map((f) => [f.data.length, f.binary]));
  for (const [i, frame] of sent.entries()) assert.ok(received[i]!.data.equals(frame.data), `frame ${i} (${frame.data.length} B) arrived byte for byte`);
});

test('an encoded frame is its 2-, 4- or 10-byte header and the payload, final and unmasked', () => {
  assert.deepEqual([...encodeWireFrame({ data: Buffer.from('hi'), binary: false })], [0x81, 2, 0x68, 0x69]);
  assert.deepEqual([...encodeWireFrame({ data: Buffer.alloc(126), binary: true }).subarray(0, 4)], [0x82, 126, 0, 126]);
  assert.deepEqual([...encodeWireFrame({ data: Buffer.alloc(65_536), binary: true }).subarray(0, 10)], [0x82, 127, 0, 0, 0, 0, 0, 1, 0, 0]);
});
