// Gateway resources: the admin's defaults, per-pod annotation overrides, and ignored invalid annotations.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildGatewayResources } from './gateway-resources.ts';

const configured = { requests: { cpu: '50m', memory: '64Mi' }, limits: { memory: '256Mi' } };

test('without annotations the configured resources are used', () => {
  assert.deepEqual(buildGatewayResources(configured, {}), {
    resources: { requests: { cpu: '50m', memory: '64Mi' }, limits: { memory: '256Mi' } },
    warnings: [],
  });
});

test('annotations set the requests; a lower limit is raised to match', () => {
  const result = buildGatewayResources(configured, { 'tapr.io/gateway-cpu': '250m', 'tapr.io/gateway-memory': '512Mi' });
  assert.deepEqual(result, { resources: { requests: { cpu: '250m', memory: '512Mi' }, limits: { memory: '512Mi' } }, warnings: [] });
});

test('a request below the limit keeps the limit', () => {
  const result = buildGatewayResources(configured, { 'tapr.io/gateway-memory': '128Mi' });
  assert.deepEqual(result.resources, { requests: { cpu: '50m', memory: '128Mi' }, limits: { memory: '256Mi' } });
});

test('surrounding spaces are tolerated', () => {
  assert.equal(buildGatewayResources(configured, { 'tapr.io/gateway-cpu': ' 1 ' }).resources.requests?.cpu, '1');
});

const invalid: [string, string, string][] = [
  ['tapr.io/gateway-cpu', 'lots', 'annotation tapr.io/gateway-cpu="lots" is ignored: expected a CPU quantity of at least 1m, such as 100m or 1'],
  ['tapr.io/gateway-cpu', '-1', 'annotation tapr.io/gateway-cpu="-1" is ignored: expected a CPU quantity of at least 1m, such as 100m or 1'],
  ['tapr.io/gateway-cpu', '0', 'annotation tapr.io/gateway-cpu="0" is ignored: expected a CPU quantity of at least 1m, such as 100m or 1'],
  ['tapr.io/gateway-memory', '128m', 'annotation tapr.io/gateway-memory="128m" is ignored: expected a memory quantity of at least 32Mi, such as 128Mi or 1Gi'],
  ['tapr.io/gateway-memory', '1 Gi', 'annotation tapr.io/gateway-memory="1 Gi" is ignored: expected a memory quantity of at least 32Mi, such as 128Mi or 1Gi'],
];
for (const [annotation, value, warning] of invalid) {
  test(`${annotation}=${JSON.stringify(value)} is ignored with a warning`, () => {
    const result = buildGatewayResources(configured, { [annotation]: value });
    assert.deepEqual(result.resources, { requests: { cpu: '50m', memory: '64Mi' }, limits: { memory: '256Mi' } });
    assert.deepEqual(result.warnings, [warning]);
  });
}

test('no resources configured and no annotations gives an empty object', () => {
  assert.deepEqual(buildGatewayResources({ requests: {}, limits: {} }, {}).resources, {});
});
