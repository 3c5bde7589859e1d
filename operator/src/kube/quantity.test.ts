// Resource quantity parsing: the unsigned forms we accept (the API also allows a sign), and malformed ones.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseQuantity } from './quantity.ts';

const valid: [string, number][] = [
  ['1', 1], ['250m', 0.25], ['0.5', 0.5], ['.5', 0.5], ['2.', 2], ['64Mi', 64 * 2 ** 20], ['1Gi', 2 ** 30],
  ['128M', 128e6], ['1k', 1000], ['1e3', 1000], ['5E-1', 0.5], ['100u', 100e-6], ['0', 0],
];
for (const [text, value] of valid) {
  test(`quantity ${text} is ${value}`, () => {
    assert.ok(Math.abs(parseQuantity(text)! - value) < 1e-12 * Math.max(1, value));
  });
}

for (const text of ['', 'abc', '-1', '+1', '1 Gi', '1gi', '1KiB', '1.2.3', 'Mi', '1K', 'm']) {
  test(`quantity ${JSON.stringify(text)} is invalid`, () => {
    assert.equal(parseQuantity(text), undefined);
  });
}
