// The default connection cap from the memory limit: the formula's figures, its floor, and no cap without a limit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildDerivedGatewayEnv, CONNECTION_COST, deriveMaxConnections } from './connection-cap.ts';

const MiB = 2 ** 20;

test('floor((limit - 100 MiB - 10%) / 16 KiB) in hundreds: 256Mi → 8,300, 512Mi → 23,000, 1Gi → 52,500', () => {
  assert.equal(deriveMaxConnections(256 * MiB), 8300);
  assert.equal(deriveMaxConnections(512 * MiB), 23_000);
  assert.equal(deriveMaxConnections(1024 * MiB), 52_500);
  assert.equal(deriveMaxConnections(128 * MiB), 900);
});

test('the cap keeps the worst case inside the limit: idle process + cap × 16 KiB ≤ 90% of the limit', () => {
  for (const mib of [128, 192, 256, 300, 512, 768, 1024, 4096]) {
    const cap = deriveMaxConnections(mib * MiB)!;
    const worstCase = CONNECTION_COST.idleProcessBytes + cap * CONNECTION_COST.perConnectionBytes;
    assert.ok(worstCase <= mib * MiB * 0.9, `${mib}Mi: ${cap} connections need ${(worstCase / MiB).toFixed(0)} MiB`);
    assert.ok(worstCase + CONNECTION_COST.step * CONNECTION_COST.perConnectionBytes > mib * MiB * 0.9 - MiB * 2, `${mib}Mi: ${cap} is not needlessly low`);
  }
});

test('a limit below the idle process still allows 100 connections; no limit means no default cap', () => {
  assert.equal(deriveMaxConnections(64 * MiB), 100);
  assert.equal(deriveMaxConnections(32 * MiB), 100);
  assert.equal(deriveMaxConnections(undefined), undefined);
  assert.equal(deriveMaxConnections(Number.NaN), undefined);
});

test('the derived env reads the container\'s final memory limit', () => {
  assert.deepEqual(buildDerivedGatewayEnv({ limits: { memory: '256Mi' } }), { WS_MAX_CONNECTIONS: '8300' });
  assert.deepEqual(buildDerivedGatewayEnv({ limits: { memory: '1Gi', cpu: '1' } }), { WS_MAX_CONNECTIONS: '52500' });
  assert.deepEqual(buildDerivedGatewayEnv({ limits: { cpu: '1' } }), {});
  assert.deepEqual(buildDerivedGatewayEnv({}), {});
});
