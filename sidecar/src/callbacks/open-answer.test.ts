import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseOpenAnswer } from './open-answer.ts';

test('an open answer with "subscribe" names the channels to join, each once', () => {
  assert.deepEqual(parseOpenAnswer('{"subscribe":["room:42","user:alice","room:42"]}'), { channels: ['room:42', 'user:alice'], problems: [] });
  assert.deepEqual(parseOpenAnswer('{"code":0,"subscribe":[]}'), { channels: [], problems: [] });
});

test('Olares answers and anything that is not such an object subscribe nothing', () => {
  for (const text of ['', '{"code":0,"message":"success"}', 'ok', '[{"subscribe":["a"]}]', 'null', '"subscribe"', '{"subscribe":', '{"data":{"subscribe":["a"]}}']) {
    assert.equal(parseOpenAnswer(text), undefined, text);
  }
});

test('invalid names are reported one by one and the valid ones still joined', () => {
  const parsed = parseOpenAnswer('{"subscribe":["ok","bad name",7,"also:ok"]}');
  assert.deepEqual(parsed?.channels, ['ok', 'also:ok']);
  assert.equal(parsed?.problems.length, 2);
  assert.match(parsed.problems[0]!, /^subscribe\[1\]: "bad name" is not a channel name/);
  assert.match(parsed.problems[1]!, /^subscribe\[2\]: 7 is not a channel name/);
  assert.deepEqual(parseOpenAnswer('{"subscribe":"room:1"}'), { channels: [], problems: ['subscribe: expected an array of channel names'] });
});
