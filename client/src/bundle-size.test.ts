import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { bundleBrowserClient } from '../scripts/bundle.ts';

test('the browser bundle is one ES module without imports, at most 6 KiB gzipped', async () => {
  const bundle = await bundleBrowserClient();
  const gzipped = gzipSync(bundle).length;
  assert.ok(gzipped <= 6 * 1024, `${gzipped} bytes gzipped`);
  assert.doesNotMatch(bundle, /\bimport\s*[{*("']|\brequire\(/, 'no imports left in the bundle');
  assert.match(bundle, /export\s*\{[^}]*createClient/, 'createClient is exported');
});
