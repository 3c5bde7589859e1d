// Where the chart and the tests' values files are, the release the tests install by default, and how values become
// helm flags. Pure.
import { join } from 'node:path';

export const REPO_ROOT = join(import.meta.dirname, '..', '..', '..');
export const CHART_DIR = join(REPO_ROOT, 'charts', 'tapr-ws');
export const VALUES_DIR = join(import.meta.dirname, '..', 'values');

export const DEFAULT_RELEASE = 'tapr-ws';
export const DEFAULT_NAMESPACE = 'tapr-system';

export interface ValuesOptions {
  /** Values files, applied in order (paths, or names of files under test/chart/values). */
  valuesFiles?: readonly string[];
  /** `key=value` assignments for --set. */
  set?: readonly string[];
}

/** `--values <file>` and `--set <assignment>` flags, in the order Helm applies them. */
export function buildValuesArgs(options: ValuesOptions): string[] {
  const args: string[] = [];
  for (const file of options.valuesFiles ?? []) args.push('--values', file.includes('/') ? file : join(VALUES_DIR, file));
  for (const assignment of options.set ?? []) args.push('--set', assignment);
  return args;
}
