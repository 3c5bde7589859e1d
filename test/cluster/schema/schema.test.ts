// Unit tests for CRD schema pruning, defaulting and validation (with the project's WebSocketGateway schema).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { load } from 'js-yaml';
import { pruneObject } from './prune.ts';
import { applyDefaults } from './defaults.ts';
import { validateObject } from './validate.ts';
import type { StructuralSchema } from './structural-schema.ts';
import type { JsonObject } from '../patch/json-value.ts';

const crd = load(readFileSync(new URL('../../../crds/websocketgateways.tapr.io.yaml', import.meta.url), 'utf8')) as {
  spec: { versions: { schema: { openAPIV3Schema: StructuralSchema } }[] };
};
const schema = crd.spec.versions[0]!.schema.openAPIV3Schema;

function gateway(spec: JsonObject): JsonObject {
  return { apiVersion: 'tapr.io/v1alpha1', kind: 'WebSocketGateway', metadata: { name: 'g', whatever: 1 }, spec };
}

test('pruning removes unknown fields but keeps metadata', () => {
  const obj = gateway({ deploymentName: 'web', bogus: 1, websocket: { url: '/ws', port: 80, extra: true } });
  const pruned = pruneObject(obj, schema);
  assert.deepEqual(pruned.sort(), ['spec.bogus', 'spec.websocket.extra']);
  assert.deepEqual(obj.spec, { deploymentName: 'web', websocket: { url: '/ws', port: 80 } });
  assert.deepEqual(obj.metadata, { name: 'g', whatever: 1 });
});

test('preserve-unknown-fields keeps unknown fields', () => {
  const s: StructuralSchema = { type: 'object', properties: { spec: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } };
  const obj: JsonObject = { spec: { anything: { deep: 1 } }, other: 1 };
  assert.deepEqual(pruneObject(obj, s), ['other']);
  assert.deepEqual(obj, { spec: { anything: { deep: 1 } } });
});

test('defaulting fills absent fields inside present objects only', () => {
  const obj = gateway({ deploymentName: 'web', manifest: { configMapName: 'cm' } });
  applyDefaults(obj, schema);
  assert.deepEqual(obj.spec, { deploymentName: 'web', manifest: { configMapName: 'cm', key: 'OlaresManifest.yaml' } });
  const none = gateway({ deploymentName: 'web' });
  applyDefaults(none, schema);
  assert.deepEqual(none.spec, { deploymentName: 'web' });
});

test('validation errors name the field like the apiserver', () => {
  const errors = validateObject(gateway({ deploymentName: 'Bad_Name', websocket: { url: 'ws', port: 70000 } }), schema);
  const byField = Object.fromEntries(errors.map((e) => [e.field, e]));
  assert.equal(byField['spec.websocket.port']?.message, 'Invalid value: 70000: spec.websocket.port in body should be less than or equal to 65535');
  assert.match(byField['spec.websocket.url']?.message ?? '', /should match '\^\/'/);
  assert.equal(byField['spec.deploymentName']?.reason, 'FieldValueInvalid');
  const missing = validateObject(gateway({}), schema);
  assert.deepEqual(missing.map((e) => [e.field, e.reason, e.message]), [['spec.deploymentName', 'FieldValueRequired', 'Required value']]);
  const typed = validateObject(gateway({ deploymentName: 'w', websocket: { url: '/', port: 'x' } }), schema);
  assert.deepEqual(typed.map((e) => e.message), ['Invalid value: "string": spec.websocket.port in body must be of type integer: "string"']);
});

test('enum, lengths, items, nullable', () => {
  const s: StructuralSchema = {
    type: 'object',
    properties: {
      mode: { type: 'string', enum: ['a', 'b'] },
      name: { type: 'string', minLength: 2, maxLength: 3 },
      list: { type: 'array', minItems: 1, maxItems: 2, items: { type: 'integer' } },
      opt: { type: 'string', nullable: true },
      req: { type: 'string' },
    },
  };
  const errors = validateObject({ mode: 'c', name: 'abcd', list: [1, 2, 3.5], opt: null, req: null }, s);
  assert.deepEqual(errors.map((e) => [e.field, e.reason]), [
    ['mode', 'FieldValueNotSupported'], ['name', 'FieldValueTooLong'], ['list', 'FieldValueTooMany'],
    ['list[2]', 'FieldValueTypeInvalid'], ['req', 'FieldValueTypeInvalid'],
  ]);
  assert.equal(errors[0]!.message, 'Unsupported value: "c": supported values: "a", "b"');
  assert.deepEqual(validateObject({ name: 'a', list: [] }, s).map((e) => e.field), ['name', 'list']);
});
