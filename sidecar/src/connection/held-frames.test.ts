import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HeldFrames } from './held-frames.ts';

test('keeps frames in order with their kind, a byte or two of header each, and gives memory back when emptied', () => {
  const held = new HeldFrames();
  const sent: { text: string; isBinary: boolean }[] = [];
  for (let i = 0; i < 5000; i++) {
    const text = i % 97 === 0 ? 'x'.repeat(70_000 + i) : String(i);
    sent.push({ text, isBinary: i % 3 === 0 });
    held.push(Buffer.from(text), i % 3 === 0);
    if (i % 10 === 9) {
      // Interleave reads with writes, as the connection does.
      const frame = held.shift()!;
      const expected = sent.shift()!;
      assert.equal(frame.data.toString(), expected.text);
      assert.equal(frame.isBinary, expected.isBinary);
    }
  }
  assert.equal(held.count, sent.length);
  for (const expected of sent) {
    const frame = held.shift()!;
    assert.equal(frame.data.toString(), expected.text);
    assert.equal(frame.isBinary, expected.isBinary);
  }
  assert.equal(held.shift(), undefined);
  assert.equal(held.bytes, 0);

  const tiny = new HeldFrames();
  for (let i = 0; i < 1000; i++) tiny.push(Buffer.from('1'), false);
  assert.equal(tiny.bytes, 2000, 'a 1-byte message costs 2 bytes');
});
