import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OfflineQueue } from './offline-queue.ts';

const limits = { maxMessages: 3, maxBytes: 100, maxAgeMs: 1_000 };

test('drains in order, each message once', () => {
  const queue = new OfflineQueue(limits);
  for (const text of ['a', 'b', 'c']) queue.push(text, undefined, 0);
  assert.deepEqual(queue.drain(10), ['a', 'b', 'c']);
  assert.deepEqual(queue.drain(10), []);
});

test('over the count the oldest are dropped', () => {
  const queue = new OfflineQueue(limits);
  for (const text of ['1', '2', '3', '4', '5']) queue.push(text, undefined, 0);
  assert.deepEqual(queue.drain(0), ['3', '4', '5']);
});

test('over the bytes (UTF-8) the oldest are dropped; one message over the limit is refused', () => {
  const queue = new OfflineQueue({ ...limits, maxMessages: 100 });
  queue.push('x'.repeat(40), undefined, 0);
  queue.push('é'.repeat(20), undefined, 0); // 40 bytes, 20 UTF-16 units
  queue.push('z'.repeat(30), undefined, 0);
  assert.deepEqual(queue.drain(0).map((text) => text[0]), ['é', 'z']);
  assert.equal(queue.push('y'.repeat(101), undefined, 0), false);
  assert.equal(queue.size, 0);
});

test('messages older than maxAgeMs are not sent', () => {
  const queue = new OfflineQueue(limits);
  queue.push('old', undefined, 0);
  queue.push('new', undefined, 600);
  assert.deepEqual(queue.drain(1_200), ['new']);
});

test('a key keeps only its latest message, at the place of the latest', () => {
  const queue = new OfflineQueue({ ...limits, maxMessages: 10 });
  queue.push('cursor 1', 'cursor', 0);
  queue.push('hello', undefined, 0);
  queue.push('cursor 2', 'cursor', 0);
  assert.deepEqual(queue.drain(0), ['hello', 'cursor 2']);
});
