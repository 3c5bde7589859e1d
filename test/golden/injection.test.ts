// Golden injection cases: input pod + manifest + settings → expected decision, JSON patch and mutated pod.
// Run with UPDATE_GOLDEN=1 to rewrite the expected files after a deliberate change; review the diff.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import jsonpatch from 'fast-json-patch';
import { load } from 'js-yaml';
import * as z from 'zod';
import { decideInjection } from '../../operator/src/injection/decide-injection.ts';
import { parseGatewaySettings } from '../../operator/src/injection/gateway-settings.ts';
import { podSchema } from '../../operator/src/kube/pod.ts';
import type { ManifestLookup } from '../../operator/src/manifest/manifest-lookup.ts';
import { parseManifest } from '../../operator/src/manifest/parse-manifest.ts';
import { MANIFEST_KEY, MANIFEST_LABEL } from '../../operator/src/naming.ts';

const casesDir = join(import.meta.dirname, 'injection');
const update = process.env.UPDATE_GOLDEN === '1';

const caseSchema = z.object({
  description: z.string(),
  namespace: z.string().default('apps'),
  nativeSidecars: z.boolean(),
  settings: z.record(z.string(), z.unknown()).default({}),
  /** The manifest text in the ConfigMap; null when the ConfigMap is not in the cache. */
  manifest: z.string().nullable(),
  pod: podSchema,
});

const baseSettings = z.record(z.string(), z.unknown()).parse(load(readFileSync(join(import.meta.dirname, 'settings.yaml'), 'utf8')));

function readJson(path: string): unknown {
  return JSON.parse(readFileSync(path, 'utf8')) as unknown;
}

/** Compares with the stored file, or rewrites it under UPDATE_GOLDEN=1. */
function checkGolden(path: string, actual: unknown): void {
  const text = `${JSON.stringify(actual, null, 2)}\n`;
  if (update) {
    writeFileSync(path, text);
    return;
  }
  assert.ok(existsSync(path), `${path} is missing; run with UPDATE_GOLDEN=1 to create it`);
  assert.deepEqual(actual, readJson(path), `${path} differs; if the change is intended, run with UPDATE_GOLDEN=1 and review the diff`);
}

const caseNames = readdirSync(casesDir, { withFileTypes: true }).filter((entry) => entry.isDirectory()).map((entry) => entry.name).sort();

test('there are golden cases', () => {
  assert.ok(caseNames.length >= 11, `found ${caseNames.length}`);
});

for (const name of caseNames) {
  test(`golden injection: ${name}`, () => {
    const dir = join(casesDir, name);
    const input = caseSchema.parse(load(readFileSync(join(dir, 'case.yaml'), 'utf8')));
    const settings = parseGatewaySettings({ ...baseSettings, ...input.settings });
    assert.ok(settings.ok, settings.ok ? '' : settings.error);
    const configMapName = input.pod.metadata?.labels?.[MANIFEST_LABEL] ?? '';
    const manifest: ManifestLookup = input.manifest === null
      ? { kind: 'missing', configMapName, key: MANIFEST_KEY }
      : parseManifest(input.manifest);
    const original = structuredClone(input.pod);

    const decision = decideInjection({ pod: input.pod, namespace: input.namespace, manifest, settings: settings.settings, nativeSidecars: input.nativeSidecars });

    assert.deepEqual(input.pod, original, 'the builder must not modify its input');
    const summary = decision.kind === 'inject'
      ? { kind: decision.kind, configHash: decision.configHash, warnings: decision.warnings }
      : { kind: decision.kind, reason: decision.reason, warnings: decision.warnings };
    const patch = decision.kind === 'inject' ? decision.patch : [];
    const mutated = decision.kind === 'inject' ? decision.pod : input.pod;
    checkGolden(join(dir, 'expected-decision.json'), summary);
    checkGolden(join(dir, 'expected-patch.json'), patch);
    checkGolden(join(dir, 'expected-pod.json'), mutated);

    // An independent RFC 6902 implementation must turn the input pod into the expected pod with our patch.
    const expectedPatch = readJson(join(dir, 'expected-patch.json')) as jsonpatch.Operation[];
    const patched = jsonpatch.applyPatch(structuredClone(original), expectedPatch, true, false).newDocument;
    assert.deepEqual(patched, readJson(join(dir, 'expected-pod.json')));
    assert.equal(expectedPatch.length === 0, decision.kind === 'skip', 'a patch exactly when injecting');
  });
}
