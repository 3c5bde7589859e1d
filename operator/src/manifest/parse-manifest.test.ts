// Table tests for OlaresManifest parsing: valid blocks, "no gateway", and errors that name the field.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeManifestError, parseManifest, type ManifestResult } from './parse-manifest.ts';

const URL_RULE = 'expected "/" then printable ASCII (0x21-0x7E) or %XX escapes';
const EMPTY = 'the manifest is empty (with Helm, check the path given to .Files.Get)';
const ws = (body: string) => `app: chat\noptions:\n  websocket:\n${body}`;

const cases: [string, string, ManifestResult][] = [
  ['the SPEC example', ws('    url: /ws/message\n    port: 8888\n'), { kind: 'websocket', url: '/ws/message', port: 8888 }],
  ['a quoted port of digits', ws('    url: /ws\n    port: "8888"\n'), { kind: 'websocket', url: '/ws', port: 8888 }],
  ['port 1 and 65535 are the bounds', ws('    url: /\n    port: 65535\n'), { kind: 'websocket', url: '/', port: 65535 }],
  ['unknown sections and fields are ignored',
    'metadata: {name: chat, icon: x.png}\nspec: {versionName: "1.0"}\noptions:\n  dependencies: [{name: olares}]\n  websocket: {url: /cb, port: 80, extra: true}\n',
    { kind: 'websocket', url: '/cb', port: 80 }],
  ['flow style', '{options: {websocket: {url: /a, port: 1}}}', { kind: 'websocket', url: '/a', port: 1 }],
  ['no options', 'metadata:\n  name: chat\n', { kind: 'none' }],
  ['options without websocket', 'options:\n  policies: []\n', { kind: 'none' }],
  ['empty options', 'options:\n', { kind: 'none' }],
  ['websocket: null', 'options:\n  websocket:\n', { kind: 'none' }],
  ['port is not a number', ws('    url: /ws\n    port: abc\n'),
    { kind: 'invalid', field: 'options.websocket.port', message: 'expected an integer from 1 to 65535, got "abc"' }],
  ['port 0', ws('    url: /ws\n    port: 0\n'),
    { kind: 'invalid', field: 'options.websocket.port', message: 'expected an integer from 1 to 65535, got 0' }],
  ['port above 65535', ws('    url: /ws\n    port: 70000\n'),
    { kind: 'invalid', field: 'options.websocket.port', message: 'expected an integer from 1 to 65535, got 70000' }],
  ['fractional port', ws('    url: /ws\n    port: 8080.5\n'),
    { kind: 'invalid', field: 'options.websocket.port', message: 'expected an integer from 1 to 65535, got 8080.5' }],
  ['negative port', ws('    url: /ws\n    port: -1\n'),
    { kind: 'invalid', field: 'options.websocket.port', message: 'expected an integer from 1 to 65535, got -1' }],
  ['boolean port', ws('    url: /ws\n    port: true\n'),
    { kind: 'invalid', field: 'options.websocket.port', message: 'expected an integer from 1 to 65535, got true' }],
  ['the gateway\'s own port', ws('    url: /ws\n    port: 40010\n'),
    { kind: 'invalid', field: 'options.websocket.port', message: '40010 is the gateway\'s own port; the app must listen on another one' }],
  ['missing port', ws('    url: /ws\n'), { kind: 'invalid', field: 'options.websocket.port', message: 'required' }],
  ['missing url', ws('    port: 8888\n'), { kind: 'invalid', field: 'options.websocket.url', message: 'required' }],
  ['url without a leading slash', ws('    url: ws/message\n    port: 8888\n'),
    { kind: 'invalid', field: 'options.websocket.url', message: `${URL_RULE}, got "ws/message"` }],
  ['url with a space', ws('    url: "/ws message"\n    port: 8888\n'),
    { kind: 'invalid', field: 'options.websocket.url', message: `${URL_RULE}; a space U+0020 at position 4, got "/ws message"` }],
  ['url is a number', ws('    url: 5\n    port: 8888\n'),
    { kind: 'invalid', field: 'options.websocket.url', message: `${URL_RULE}, got 5` }],
  // F6: only what an HTTP client accepts in a path; everything else is refused, naming the first bad character.
  ['a non-ASCII url', ws('    url: /ws/чат\n    port: 8888\n'),
    { kind: 'invalid', field: 'options.websocket.url', message: `${URL_RULE}; a non-ASCII character U+0447 at position 5, got "/ws/\\u0447\\u0430\\u0442"` }],
  ['a Latin-1 url', ws('    url: /caf\u00e9\n    port: 8888\n'),
    { kind: 'invalid', field: 'options.websocket.url', message: `${URL_RULE}; a non-ASCII character U+00E9 at position 5, got "/caf\\u00E9"` }],
  ['a zero-width space', ws('    url: "/ws\\u200b"\n    port: 8888\n'),
    { kind: 'invalid', field: 'options.websocket.url', message: `${URL_RULE}; a non-ASCII character U+200B at position 4, got "/ws\\u200B"` }],
  ['a NUL', ws('    url: "/ws\\0"\n    port: 8888\n'),
    { kind: 'invalid', field: 'options.websocket.url', message: `${URL_RULE}; a control character U+0000 at position 4, got "/ws\\u0000"` }],
  ['a tab', ws('    url: "/ws\\tx"\n    port: 8888\n'),
    { kind: 'invalid', field: 'options.websocket.url', message: `${URL_RULE}; a control character U+0009 at position 4, got "/ws\\u0009x"` }],
  ['DEL', ws('    url: "/ws\\x7F"\n    port: 8888\n'),
    { kind: 'invalid', field: 'options.websocket.url', message: `${URL_RULE}; a control character U+007F at position 4, got "/ws\\u007F"` }],
  ['a lone "%"', ws('    url: /ws%zz\n    port: 8888\n'),
    { kind: 'invalid', field: 'options.websocket.url', message: `${URL_RULE}; "%" at position 4 is not followed by two hex digits, got "/ws%zz"` }],
  ['percent-encoding is allowed', ws('    url: /ws/%D1%87%d0%b0\n    port: 8888\n'), { kind: 'websocket', url: '/ws/%D1%87%d0%b0', port: 8888 }],
  ['every printable ASCII character but a lone "%"', ws(`    url: '/!"#$&''()*+,-./09:;<=>?@AZ[\\]^_\`az{|}~'\n    port: 8888\n`),
    { kind: 'websocket', url: '/!"#$&\'()*+,-./09:;<=>?@AZ[\\]^_`az{|}~', port: 8888 }],
  ['websocket is a list', 'options:\n  websocket: [1, 2]\n',
    { kind: 'invalid', field: 'options.websocket', message: 'expected a mapping with url and port, got a list' }],
  ['websocket is a string', 'options:\n  websocket: yes\n',
    { kind: 'invalid', field: 'options.websocket', message: 'expected a mapping with url and port, got "yes"' }],
  ['options is a scalar', 'options: 3\n', { kind: 'invalid', field: 'options', message: 'expected a mapping, got 3' }],
  ['the document is a list', '- a\n- b\n', { kind: 'invalid', field: 'OlaresManifest.yaml', message: 'expected a mapping, got a list' }],
  ['the document is a scalar', 'hello\n', { kind: 'invalid', field: 'OlaresManifest.yaml', message: 'expected a mapping, got "hello"' }],
  ['an empty manifest', '  \n', { kind: 'invalid', field: 'OlaresManifest.yaml', message: EMPTY }],
  ['a comment-only manifest', '# nothing here\n', { kind: 'invalid', field: 'OlaresManifest.yaml', message: EMPTY }],
  ['a document with only "---"', '---\n', { kind: 'invalid', field: 'OlaresManifest.yaml', message: EMPTY }],
  ['several YAML documents', 'options: {}\n---\noptions: {}\n',
    { kind: 'invalid', field: 'OlaresManifest.yaml', message: 'expected one YAML document, found 2' }],
];

for (const [name, text, expected] of cases) {
  test(`manifest: ${name}`, () => {
    assert.deepEqual(parseManifest(text), expected);
  });
}

test('bad YAML names the line and column', () => {
  const result = parseManifest('options:\n  websocket:\n    url: [/ws\n  port: 8888\n');
  assert.equal(result.kind, 'invalid');
  assert.ok(result.kind === 'invalid');
  assert.equal(result.field, 'OlaresManifest.yaml');
  assert.match(result.message, /^invalid YAML at line 4, column \d+: /);
});

test('duplicate keys are bad YAML, named by line', () => {
  const result = parseManifest('options:\n  websocket: {url: /a, port: 1}\noptions: {}\n');
  assert.ok(result.kind === 'invalid');
  assert.match(result.message, /^invalid YAML at line 3, column \d+: .*duplicat/);
});

test('unsafe tags are refused instead of executed', () => {
  const result = parseManifest('options: !!js/function "function () { return 1 }"\n');
  assert.ok(result.kind === 'invalid');
  assert.match(result.message, /^invalid YAML at line 1, column \d+: unknown .*tag/);
});

test('long values are shortened in the message', () => {
  const result = parseManifest(ws(`    url: ${'x'.repeat(300)}\n    port: 8888\n`));
  assert.ok(result.kind === 'invalid');
  assert.ok(result.message.length < 130, result.message);
  assert.match(result.message, /\.\.\.$/);
});

test('describeManifestError starts with the field path', () => {
  const result = parseManifest(ws('    url: /ws\n    port: abc\n'));
  assert.ok(result.kind === 'invalid');
  assert.equal(describeManifestError(result), 'options.websocket.port: expected an integer from 1 to 65535, got "abc"');
});
