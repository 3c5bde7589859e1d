import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { asciiOnly, bundleGateway } from './bundle.ts';
import { deferredBuiltins } from './deferred-builtins.ts';

const run = promisify(execFile);

test('the gateway bundle is ASCII only, so V8 keeps its source at one byte per character', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'tapr-bundle-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const source = await readFile(await bundleGateway(join(dir, 'ws-gateway.cjs')), 'utf8');
  assert.ok(source.length > 100_000, 'the whole gateway is in the file');
  const firstNonAscii = /\P{ASCII}/u.exec(source);
  assert.equal(firstNonAscii, null, `non-ASCII at ${firstNonAscii?.index}: ${source.slice((firstNonAscii?.index ?? 0) - 60, (firstNonAscii?.index ?? 0) + 20)}`);
  // https and tls are required only by their deferred stand-ins (as node:…), never directly by ws or prom-client.
  assert.match(source, /require\("node:tls"\)/);
  assert.doesNotMatch(source, /require\("(https|tls)"\)/);
});

test('asciiOnly escapes what esbuild leaves in comments and nothing else', () => {
  assert.equal(asciiOnly('x = 1; // nothing is a multiple of zero — NaN\n'), 'x = 1; // nothing is a multiple of zero \\u{2014} NaN\n');
  assert.equal(asciiOnly('/* 😀 */'), '/* \\u{1f600} */');
  const plain = 'const s = "\\u00e9"; // plain ASCII\n';
  assert.equal(asciiOnly(plain), plain);
});

test('a deferred builtin loads on first use and then behaves as the real module', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'tapr-deferred-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  // CommonJS requires, as ws and prom-client do (an ES import of the namespace reads every export at start).
  const entry = join(dir, 'entry.cjs');
  await writeFile(entry, `
    const https = require('node:https');
    const tls = require('tls');
    const loaded = () => process.moduleLoadList.filter((m) => m === 'NativeModule https' || m === 'NativeModule tls');
    const before = loaded();
    const realTls = process.getBuiltinModule('node:tls');
    console.log(JSON.stringify({
      before,
      agent: new https.Agent({ keepAlive: true }) instanceof process.getBuiltinModule('node:https').Agent,
      connect: tls.connect === realTls.connect,
      has: 'createServer' in https,
      keys: Object.keys(https).includes('request'),
      after: loaded().sort(),
    }));
  `);
  const outfile = join(dir, 'out.cjs');
  await build({ entryPoints: [entry], outfile, bundle: true, format: 'cjs', platform: 'node', logLevel: 'error', plugins: [deferredBuiltins(['https', 'tls'])] });
  const { stdout } = await run(process.execPath, [outfile]);
  const seen = JSON.parse(stdout) as Record<string, unknown>;
  assert.deepEqual(seen.before, [], 'nothing is loaded until the first property is read');
  assert.deepEqual(seen, { before: [], agent: true, connect: true, has: true, keys: true, after: ['NativeModule https', 'NativeModule tls'] });
});
