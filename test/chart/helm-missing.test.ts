// Without helm on PATH the chart tests fail (never skip) and say how to get one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderChart } from './support/render-chart.ts';

test('a missing helm fails the render with the helm-lite install command', async (t) => {
  const emptyDir = await mkdtemp(join(tmpdir(), 'no-helm-'));
  const savedPath = process.env.PATH;
  t.after(async () => {
    process.env.PATH = savedPath;
    await rm(emptyDir, { recursive: true, force: true });
  });
  process.env.PATH = emptyDir;
  await assert.rejects(renderChart(), /helm is not on PATH: run \.\.\/shared\/tools\/helm-lite\/install/);
});
