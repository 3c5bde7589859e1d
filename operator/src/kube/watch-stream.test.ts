// The watch stream's framing: lines split across chunks, blank lines skipped, and lines that are not events rejected.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LineSplitter, parseWatchLine } from './watch-stream.ts';

test('events arrive whole even when a line spans chunks; blank lines are skipped', () => {
  const lines = new LineSplitter();
  assert.deepEqual(lines.push('{"type":"ADDED","object":{"a"'), []);
  assert.deepEqual(lines.push(':1}}\n\n{"type":"BOOK'), ['{"type":"ADDED","object":{"a":1}}']);
  assert.deepEqual(lines.push('MARK","object":{}}\n'), ['{"type":"BOOKMARK","object":{}}']);
  assert.deepEqual(parseWatchLine('{"type":"ADDED","object":{"a":1}}'), { type: 'ADDED', object: { a: 1 } });
});

test('a line that is not JSON or not an event is an error quoting it', () => {
  const notJson = parseWatchLine('<html>');
  const notEvent = parseWatchLine('{"kind":"Status"}');
  assert.ok(notJson instanceof Error && notEvent instanceof Error);
  assert.match(notJson.message, /a line is not JSON: <html>/);
  assert.match(notEvent.message, /a line is not a watch event/);
});
