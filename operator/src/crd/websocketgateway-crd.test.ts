// The WebSocketGateway CRD in crds/: names, structural schema, validation, status subresource, printer columns.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { load } from 'js-yaml';
import * as z from 'zod';
import { CALLBACK_PATH_PATTERN } from '../manifest/parse-manifest.ts';
import * as naming from '../naming.ts';
import { computeStatus } from '../status/compute-status.ts';
import { ConditionType, InjectedReason, ManifestReason, ReadyReason } from '../status/condition-reasons.ts';
import { findStructuralProblems, schemaAt, validateValue, type Schema } from './openapi-check.ts';

const crdPath = join(import.meta.dirname, '..', '..', '..', 'crds', 'websocketgateways.tapr.io.yaml');

const crdSchema = z.object({
  apiVersion: z.literal('apiextensions.k8s.io/v1'),
  kind: z.literal('CustomResourceDefinition'),
  metadata: z.object({ name: z.string() }),
  spec: z.object({
    group: z.string(),
    scope: z.string(),
    names: z.object({ kind: z.string(), listKind: z.string(), plural: z.string(), singular: z.string(), shortNames: z.array(z.string()) }),
    versions: z.array(z.object({
      name: z.string(),
      served: z.boolean(),
      storage: z.boolean(),
      subresources: z.object({ status: z.object({}) }).optional(),
      additionalPrinterColumns: z.array(z.object({ name: z.string(), type: z.string(), jsonPath: z.string() })),
      schema: z.object({ openAPIV3Schema: z.custom<Schema>((value) => typeof value === 'object' && value !== null) }),
    })),
  }),
});

const crd = crdSchema.parse(load(readFileSync(crdPath, 'utf8')));
const version = crd.spec.versions[0]!;
const schema = version.schema.openAPIV3Schema;
const statusSchema = schemaAt(schema, '.status')!;

test('names match naming.ts: tapr.io/v1alpha1 WebSocketGateway, namespaced, short name wsgw', () => {
  assert.equal(crd.metadata.name, naming.GATEWAY_CRD_NAME);
  assert.equal(crd.spec.group, naming.API_GROUP);
  assert.equal(crd.spec.scope, 'Namespaced');
  assert.deepEqual(crd.spec.names, {
    kind: naming.GATEWAY_KIND, listKind: `${naming.GATEWAY_KIND}List`, plural: naming.GATEWAY_PLURAL, singular: naming.GATEWAY_SINGULAR, shortNames: [naming.GATEWAY_SHORT_NAME],
  });
  assert.equal(crd.spec.versions.length, 1);
  assert.deepEqual([version.name, version.served, version.storage], [naming.API_VERSION, true, true]);
});

test('the status subresource is enabled', () => {
  assert.deepEqual(version.subresources, { status: {} });
});

test('the schema is structural', () => {
  assert.deepEqual(findStructuralProblems(schema), []);
});

test('the structural check itself catches a missing type, properties or items', () => {
  assert.deepEqual(findStructuralProblems({ type: 'object', properties: { a: {}, b: { type: 'object' }, c: { type: 'array' } } }), [
    '.a: no type', '.b: object without properties', '.c: array without items',
  ]);
});

test('printer columns: Deployment, Port, Url, Ready, Connections, Users, Age, each pointing at a typed field', () => {
  assert.deepEqual(version.additionalPrinterColumns.map((column) => [column.name, column.type, column.jsonPath]), [
    ['Deployment', 'string', '.spec.deploymentName'],
    ['Port', 'integer', '.spec.websocket.port'],
    ['Url', 'string', '.spec.websocket.url'],
    ['Ready', 'string', '.status.readyText'],
    ['Connections', 'integer', '.status.connections'],
    ['Users', 'integer', '.status.users'],
    ['Age', 'date', '.metadata.creationTimestamp'],
  ]);
  for (const column of version.additionalPrinterColumns) {
    if (column.jsonPath.startsWith('.metadata.')) continue;
    assert.equal(schemaAt(schema, column.jsonPath)?.type, column.type, column.jsonPath);
  }
});

const URL_PATTERN = '^/([!-$&-~]|%[0-9A-Fa-f]{2})*$';
const goodSpec = { deploymentName: 'chat', manifest: { configMapName: 'chat-manifest', key: 'OlaresManifest.yaml' }, websocket: { url: '/ws/message', port: 8888 } };

test('a spec as SPEC B2 shows it is valid; the manifest key defaults to OlaresManifest.yaml', () => {
  const specSchema = schemaAt(schema, '.spec')!;
  assert.deepEqual(validateValue(goodSpec, specSchema), []);
  assert.deepEqual(validateValue({ deploymentName: 'chat' }, specSchema), []);
  assert.equal(schemaAt(schema, '.spec.manifest.key')?.default, naming.MANIFEST_KEY);
});

const badSpecs: [string, unknown, string][] = [
  ['no deploymentName', { websocket: { url: '/ws', port: 1 } }, '(root).deploymentName: required'],
  ['an uppercase deploymentName', { deploymentName: 'Chat' }, '(root).deploymentName: does not match'],
  ['a url without a slash', { ...goodSpec, websocket: { url: 'ws', port: 8888 } }, '(root).websocket.url: does not match ^/'],
  ['a non-ASCII url', { ...goodSpec, websocket: { url: '/ws/чат', port: 8888 } }, `(root).websocket.url: does not match ${URL_PATTERN}`],
  ['a url with a zero-width space', { ...goodSpec, websocket: { url: '/ws\u200b', port: 8888 } }, `(root).websocket.url: does not match ${URL_PATTERN}`],
  ['a url with a NUL', { ...goodSpec, websocket: { url: '/ws\u0000', port: 8888 } }, `(root).websocket.url: does not match ${URL_PATTERN}`],
  ['a url with a lone %', { ...goodSpec, websocket: { url: '/ws%z', port: 8888 } }, `(root).websocket.url: does not match ${URL_PATTERN}`],
  ['port 0', { ...goodSpec, websocket: { url: '/ws', port: 0 } }, '(root).websocket.port: below 1'],
  ['port 65536', { ...goodSpec, websocket: { url: '/ws', port: 65536 } }, '(root).websocket.port: above 65535'],
  ['a string port', { ...goodSpec, websocket: { url: '/ws', port: '8888' } }, '(root).websocket.port: expected integer'],
  ['a websocket without port', { ...goodSpec, websocket: { url: '/ws' } }, '(root).websocket.port: required'],
  ['a manifest without configMapName', { ...goodSpec, manifest: { key: 'x' } }, '(root).manifest.configMapName: required'],
  ['an unknown field', { ...goodSpec, replicas: 3 }, '(root).replicas: unknown field'],
];
test('the CRD\'s url pattern and the manifest parser accept and refuse the same paths', () => {
  const url = schemaAt(schema, '.spec.websocket.url')!;
  const pattern = new RegExp(url.pattern!, 'u');
  for (const url of ['/', '/ws/message', '/ws%2F%d0', '/!"#$&\'()*+,-./:;<=>?@[\\]^_`{|}~', 'ws', '/ws x', '/ws/чат', '/ws\u200b', '/ws\u0000', '/ws\t', '/ws\u007f', '/%', '/%4', '/%zz']) {
    assert.equal(pattern.test(url), CALLBACK_PATH_PATTERN.test(url), JSON.stringify(url));
  }
});

for (const [name, spec, error] of badSpecs) {
  test(`spec validation refuses ${name}`, () => {
    const errors = validateValue(spec, schemaAt(schema, '.spec')!);
    assert.ok(errors.some((message) => message.startsWith(error)), errors.join('; '));
  });
}

test('every status computeStatus writes fits the schema (nothing would be pruned or refused)', () => {
  const status = computeStatus({
    namespace: 'apps',
    generation: 2,
    manifest: { kind: 'invalid', field: 'options.websocket.port', message: 'expected an integer from 1 to 65535, got "abc"' },
    currentConfigHash: 'abcdefabcdefabcd',
    pods: [
      { name: 'a', injected: true, injectedHash: 'abcdefabcdefabcd', sample: { kind: 'stats', connections: 3, users: 2, configHash: 'abcdefabcdefabcd' } },
      { name: 'b', injected: true, sample: { kind: 'error', message: 'timeout after 1000 ms' } },
      { name: 'c', injected: false },
    ],
    previous: undefined,
    now: new Date('2025-01-01T00:00:00.123Z'),
  });
  assert.deepEqual(validateValue(status, statusSchema), []);
  assert.deepEqual(validateValue(computeStatus({
    namespace: 'apps', generation: 1, manifest: { kind: 'none' }, currentConfigHash: undefined, pods: [], previous: undefined, now: new Date(0),
  }), statusSchema), []);
});

test('every condition type and reason matches metav1.Condition validation', () => {
  const conditionSchema = statusSchema.properties!.conditions!.items!;
  const reasons = [ReadyReason, ManifestReason, InjectedReason].flatMap((group) => Object.values(group));
  for (const type of Object.values(ConditionType)) {
    for (const reason of reasons) {
      const condition = { type, status: 'True', reason, message: '', lastTransitionTime: '2025-01-01T00:00:00Z', observedGeneration: 1 };
      assert.deepEqual(validateValue(condition, conditionSchema), [], `${type} ${reason}`);
    }
  }
  assert.ok(validateValue({ type: 'Ready', status: 'Maybe', reason: 'bad reason', message: '', lastTransitionTime: 'now' }, conditionSchema).length === 3);
});
