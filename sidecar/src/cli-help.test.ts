// buildGatewayHelp: one row per schema variable with its default and its description (so a new setting needs one).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildGatewayHelp } from './cli-help.ts';
import { listSettings } from './config.ts';

test('every variable of the schema has a one-line description and a row with its default', () => {
  const help = buildGatewayHelp('1.2.3');
  assert.match(help, /^ws-gateway 1\.2\.3: /);
  const rows = help.split('\n');
  for (const setting of listSettings()) {
    assert.ok(setting.description !== '' && !setting.description.includes('\n'), `${setting.name}: add .describe('…') in config.ts`);
    const row = rows.find((line) => line.startsWith(`  ${setting.name} `));
    assert.ok(row, setting.name);
    assert.match(row, new RegExp(` ${(setting.defaultText === undefined ? 'required' : setting.defaultText || '(empty)').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} +${setting.description.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`));
  }
  assert.match(help, /\n {2}WS_PORT +required +the app's callback port/);
  assert.match(help, /\n {2}WS_ALLOWED_ORIGINS +\(empty\) +comma list/);
  assert.match(help, /\n {2}WS_REQUIRE_USER +false +/);
});
