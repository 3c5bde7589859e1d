// The README's configuration table and the gateway's zod schema name the same WS_* variables with the same defaults,
// so neither can drift from the other.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { listSettings } from '../../sidecar/src/config.ts';

const README = readFileSync(join(resolve(import.meta.dirname, '..', '..'), 'README.md'), 'utf8');

/** `| `WS_X` | default | meaning |` rows: name → default cell. */
function documentedSettings(): Map<string, string> {
  const rows = new Map<string, string>();
  for (const match of README.matchAll(/^\| `(WS_[A-Z0-9_]+)` \| ([^|]*) \|/gm)) rows.set(match[1]!, match[2]!.trim());
  return rows;
}

test('every gateway setting is in the README table, and the table names no other', () => {
  const schema = listSettings().map((setting) => setting.name).filter((name) => name.startsWith('WS_')).sort();
  assert.deepEqual([...documentedSettings().keys()].sort(), schema);
});

test('the README states each setting\'s default as the schema has it', () => {
  const rows = documentedSettings();
  const wrong: string[] = [];
  for (const setting of listSettings()) {
    const cell = rows.get(setting.name);
    if (cell === undefined || setting.defaultText === undefined) continue;
    const shown = setting.defaultText === '' ? 'empty' : setting.defaultText;
    if (!cell.includes(`\`${shown}\``) && !cell.startsWith(shown)) wrong.push(`${setting.name}: README says ${cell}, the schema ${JSON.stringify(setting.defaultText)}`);
  }
  assert.deepEqual(wrong, []);
});
