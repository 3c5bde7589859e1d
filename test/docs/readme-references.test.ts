// The docs say only what is there: every npm script, relative link and file path a Markdown file names exists, and no link leaves the repository.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..', '..');
const markdown = execFileSync('git', ['ls-files', '*.md'], { cwd: ROOT, encoding: 'utf8' }).split('\n').filter((f) => f !== '');
const scripts = Object.keys((JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts);

test('the repository has Markdown docs to check', () => {
  assert.ok(markdown.includes('README.md') && markdown.length > 5, markdown.join(', '));
});

test('every npm script a doc names exists', () => {
  const missing: string[] = [];
  for (const file of markdown) {
    const text = readFileSync(join(ROOT, file), 'utf8');
    for (const match of text.matchAll(/npm run (?:-s )?([a-z][\w:-]*)/g)) {
      if (!scripts.includes(match[1]!)) missing.push(`${file}: npm run ${match[1]}`);
    }
  }
  assert.deepEqual(missing, []);
});

test('every relative link points at a file that is there, and none at ../shared', () => {
  const broken: string[] = [];
  for (const file of markdown) {
    const text = readFileSync(join(ROOT, file), 'utf8');
    for (const match of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      const target = match[1]!;
      if (/^[a-z]+:/i.test(target) || target.startsWith('#')) continue;
      const path = resolve(dirname(join(ROOT, file)), decodeURIComponent(target.split('#')[0]!));
      if (!path.startsWith(ROOT + '/') && path !== ROOT) broken.push(`${file}: ${target} leaves the repository`);
      else if (!existsSync(path)) broken.push(`${file}: ${target} does not exist`);
    }
  }
  assert.deepEqual(broken, []);
});

test('every file path a doc names in backticks is there', () => {
  // `sidecar/src/config.ts`, `test/contract/`, or relative to the doc's folder or its src/ (operator/README.md: `controller/informer.ts`).
  const missing: string[] = [];
  for (const file of markdown) {
    const prose = readFileSync(join(ROOT, file), 'utf8').replace(/```[\s\S]*?```/g, '');
    const folder = dirname(join(ROOT, file));
    for (const match of prose.matchAll(/`([\w.-]+(?:\/[\w.-]+)+\/?)`/g)) {
      const path = match[1]!;
      if (!/\.(ts|md|yaml|yml|json|sh|js)$|\/$/.test(path)) continue;
      // dist/ holds what `npm run build` writes; a clean clone has none of it.
      if (/(^|\/)dist\//.test(path)) continue;
      if (![ROOT, folder, join(folder, 'src')].some((base) => existsSync(join(base, path)))) missing.push(`${file}: ${path}`);
    }
  }
  assert.deepEqual(missing, []);
});
