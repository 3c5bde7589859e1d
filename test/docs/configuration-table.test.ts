// docs/configuration.md names the settings the code has, with the same defaults: WS_* against the zod schema, flags against the option table.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { listSettings } from '../../sidecar/src/config.ts';
import { listOptionDocs } from '../../operator/src/config.ts';

const PAGE = readFileSync(join(resolve(import.meta.dirname, '..', '..'), 'docs', 'configuration.md'), 'utf8');

/** `| `WS_X` | default | meaning |` rows: name → default cell. */
function documentedSettings(): Map<string, string> {
  const rows = new Map<string, string>();
  for (const match of PAGE.matchAll(/^\| `(WS_[A-Z0-9_]+)` \| ([^|]*) \|/gm)) rows.set(match[1]!, match[2]!.trim());
  return rows;
}

/** `| `--flag` | env cell | default cell | meaning |` rows: flag → env and default cells. */
function documentedFlags(): Map<string, { env: string; defaultCell: string }> {
  const rows = new Map<string, { env: string; defaultCell: string }>();
  for (const match of PAGE.matchAll(/^\| `--([a-z0-9-]+)` \| ([^|]*) \| ([^|]*) \|/gm)) {
    rows.set(match[1]!, { env: match[2]!.trim(), defaultCell: match[3]!.trim() });
  }
  return rows;
}

test('every gateway setting is in the configuration table, and the table names no other', () => {
  const schema = listSettings().map((setting) => setting.name).filter((name) => name.startsWith('WS_')).sort();
  assert.deepEqual([...documentedSettings().keys()].sort(), schema);
});

test('the configuration table states each gateway setting\'s default as the schema has it', () => {
  const rows = documentedSettings();
  const wrong: string[] = [];
  for (const setting of listSettings()) {
    const cell = rows.get(setting.name);
    if (cell === undefined || setting.defaultText === undefined) continue;
    const shown = setting.defaultText === '' ? 'empty' : setting.defaultText;
    if (!cell.includes(`\`${shown}\``) && !cell.startsWith(shown)) wrong.push(`${setting.name}: docs say ${cell}, the schema ${JSON.stringify(setting.defaultText)}`);
  }
  assert.deepEqual(wrong, []);
});

test('every operator flag is in the flag table with its environment variables, and the table names no other', () => {
  const rows = documentedFlags();
  assert.deepEqual([...rows.keys()].sort(), listOptionDocs().map((option) => option.flag).sort());
  const wrong: string[] = [];
  for (const option of listOptionDocs()) {
    const env = rows.get(option.flag)?.env ?? '';
    for (const name of option.env) if (!env.includes(`\`${name}\``)) wrong.push(`--${option.flag}: docs do not name ${name}`);
  }
  assert.deepEqual(wrong, []);
});

test('the flag table states each operator default as the option table has it', () => {
  const rows = documentedFlags();
  const wrong: string[] = [];
  for (const option of listOptionDocs()) {
    const cell = rows.get(option.flag)?.defaultCell;
    if (cell === undefined || option.defaultText === undefined) continue;
    if (!cell.includes(`\`${option.defaultText}\``)) wrong.push(`--${option.flag}: docs say ${cell}, the code ${JSON.stringify(option.defaultText)}`);
  }
  assert.deepEqual(wrong, []);
});
