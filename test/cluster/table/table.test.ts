// Unit tests for JSONPath reading, human durations and Table building from printer columns.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { humanDuration, readJsonPath } from './json-path.ts';
import { buildTable, columnsFor } from './build-table.ts';
import { buildBuiltinTypes } from '../resources/builtin-types.ts';
import type { ResourceType } from '../resources/resource-type.ts';

test('readJsonPath', () => {
  const obj = { spec: { a: [{ b: 1 }] }, metadata: { labels: { 'x/y': 'z' } } };
  assert.equal(readJsonPath(obj, '.spec.a[0].b'), 1);
  assert.equal(readJsonPath(obj, ".metadata.labels['x/y']"), 'z');
  assert.equal(readJsonPath(obj, '.spec.missing.deep'), undefined);
});

test('humanDuration matches the apiserver', () => {
  const s = 1000;
  assert.deepEqual([5 * s, 119 * s, 200 * s, 600 * s, 3 * 3600 * s, 3 * 3600 * s + 120 * s, 30 * 3600 * s, 50 * 3600 * s, 400 * 86400 * s].map(humanDuration),
    ['5s', '119s', '3m20s', '10m', '3h', '3h2m', '30h', '2d2h', '400d']);
});

test('custom printer columns become typed cells; missing values are null', () => {
  const type = { ...buildBuiltinTypes()[2]!, printerColumns: [
    { name: 'Port', type: 'integer', jsonPath: '.spec.port' },
    { name: 'Url', type: 'string', jsonPath: '.spec.url' },
    { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
  ] } satisfies ResourceType;
  const now = Date.parse('2025-01-01T00:10:00Z');
  const table = buildTable(columnsFor(type), [{ metadata: { name: 'g', creationTimestamp: '2025-01-01T00:00:00Z' }, spec: { port: 80 } }],
    { includeObject: 'Metadata', now, resourceVersion: '7' });
  assert.deepEqual((table.columnDefinitions as { name: string }[]).map((c) => c.name), ['Name', 'Port', 'Url', 'Age']);
  assert.deepEqual((table.rows as { cells: unknown[] }[])[0]!.cells, ['g', 80, null, '10m']);
  assert.equal(((table.rows as { object: { kind: string } }[])[0]!.object).kind, 'PartialObjectMetadata');
});

test('built-in pods columns', () => {
  const pods = buildBuiltinTypes().find((t) => t.resource === 'pods')!;
  const table = buildTable(columnsFor(pods), [{ metadata: { name: 'p', creationTimestamp: '2025-01-01T00:00:00Z' }, spec: { containers: [{}] }, status: { phase: 'Pending' } }],
    { includeObject: 'None', now: Date.parse('2025-01-01T00:00:30Z'), resourceVersion: '1' });
  assert.deepEqual((table.rows as { cells: unknown[] }[])[0]!.cells, ['p', '0/1', 'Pending', '0', '30s', '<none>', '<none>']);
});
