// values.schema.json refuses misspelt keys and wrong types before anything renders, naming the key. The assertions look
// for the key and the allowed values, not for one validator's wording (Helm's messages changed across 3.x releases).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { renderChart, renderChartError, VALUES_DIR, type RenderOptions } from './support/render-chart.ts';

const INVALID = join(VALUES_DIR, 'invalid');
const SCHEMA_FAILURE = /values don't meet the specifications of the schema/;

const FILE_CASES: { file: string; mentions: string[] }[] = [
  { file: 'typo-key.yaml', mentions: ['replicaCont'] },
  { file: 'log-level-number.yaml', mentions: ['logLevel', 'string'] },
  { file: 'certificate-mode.yaml', mentions: ['certificates', 'mode', 'self-managed', 'cert-manager'] },
  { file: 'nested-typo.yaml', mentions: ['redis', 'existingSecrett'] },
  { file: 'native-sidecars-bool.yaml', mentions: ['nativeSidecars', 'boolean'] },
  { file: 'replicas-string.yaml', mentions: ['replicaCount', 'integer'] },
  { file: 'pull-policy.yaml', mentions: ['image', 'pullPolicy', 'IfNotPresent'] },
];

async function assertRefused(options: RenderOptions, mentions: string[]): Promise<void> {
  const error = await renderChartError(options);
  assert.match(error, SCHEMA_FAILURE);
  // Numbers are compared without thousands separators (Helm 3.22 says `maximum: got 70,000, want 65,535`).
  const plain = error.replace(/(\d),(?=\d{3}\b)/g, '$1');
  for (const word of mentions) assert.ok(plain.includes(word), `the error names ${word}:\n${error}`);
}

for (const { file, mentions } of FILE_CASES) {
  test(`values/invalid/${file} is refused with a message naming the key`, async () => {
    await assertRefused({ valuesFiles: [join(INVALID, file)] }, mentions);
  });
}

test('Helm 3.22\'s messages (santhosh-tekuri/jsonschema, since Helm 3.18) for the three typical mistakes, as the chart README shows them', async () => {
  assert.match(await renderChartError({ valuesFiles: [join(INVALID, 'typo-key.yaml')] }), /^- at '': additional properties 'replicaCont' not allowed$/m);
  assert.match(await renderChartError({ valuesFiles: [join(INVALID, 'log-level-number.yaml')] }), /^- at '\/logLevel': got number, want string$/m);
  assert.match(await renderChartError({ valuesFiles: [join(INVALID, 'certificate-mode.yaml')] }),
    /^- at '\/certificates\/mode': value must be one of 'self-managed', 'cert-manager'$/m);
});

test('--set typos, out-of-range numbers and malformed strings are refused too', async () => {
  await assertRefused({ set: ['gateway.resouces.requests.cpu=1'] }, ['gateway', 'resouces']);
  await assertRefused({ set: ['webhook.port=70000'] }, ['webhook', 'port', '65535']);
  await assertRefused({ set: ['gateway.resources.requests.memory=lots'] }, ['gateway', 'resources', 'requests', 'memory']);
  await assertRefused({ set: ['watchNamespaces[0]=Team_A'] }, ['watchNamespaces']);
  await assertRefused({ set: ['redis.enabled=true'] }, ['redis', 'existingSecret']);
});

test('the schema accepts the defaults and every example values file', async () => {
  for (const valuesFiles of [[], ['cert-manager.yaml'], ['cert-manager-issuer.yaml'], ['redis.yaml'], ['network-policy.yaml'], ['one-namespace.yaml'], ['production.yaml']]) {
    const objects = await renderChart({ valuesFiles });
    assert.ok(objects.some((object) => object.kind === 'Deployment'), `${valuesFiles.join(', ') || 'defaults'}: rendered`);
  }
});
