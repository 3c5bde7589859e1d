// Renders the tapr-ws chart with `helm template` and returns the parsed objects; also the path helpers the chart
// tests and (later) the in-cluster install test share. I/O (runs helm).
import { join } from 'node:path';
import { runHelm } from './helm.ts';
import { parseManifests, type KubeObject } from './parse-manifests.ts';

export const REPO_ROOT = join(import.meta.dirname, '..', '..', '..');
export const CHART_DIR = join(REPO_ROOT, 'charts', 'tapr-ws');
export const VALUES_DIR = join(import.meta.dirname, '..', 'values');

export interface RenderOptions {
  releaseName?: string;
  namespace?: string;
  /** Values files, applied in order (paths, or names of files under test/chart/values). */
  valuesFiles?: string[];
  /** `key=value` assignments for --set. */
  set?: string[];
  includeCrds?: boolean;
}

export const DEFAULT_RELEASE = 'tapr-ws';
export const DEFAULT_NAMESPACE = 'tapr-system';

export function helmTemplateArgs(options: RenderOptions = {}): string[] {
  const args = ['template', options.releaseName ?? DEFAULT_RELEASE, CHART_DIR, '--namespace', options.namespace ?? DEFAULT_NAMESPACE];
  for (const file of options.valuesFiles ?? []) args.push('--values', file.includes('/') ? file : join(VALUES_DIR, file));
  for (const assignment of options.set ?? []) args.push('--set', assignment);
  if (options.includeCrds === true) args.push('--include-crds');
  return args;
}

/** The rendered objects; throws with helm's stderr when rendering fails. */
export async function renderChart(options: RenderOptions = {}): Promise<KubeObject[]> {
  const result = await runHelm(helmTemplateArgs(options));
  if (result.code !== 0) throw new Error(`helm template failed (exit ${result.code}): ${result.stderr.trim()}`);
  return parseManifests(result.stdout);
}

/** Renders expecting a failure; returns helm's error output (throws when rendering succeeded). */
export async function renderChartError(options: RenderOptions = {}): Promise<string> {
  const result = await runHelm(helmTemplateArgs(options));
  if (result.code === 0) throw new Error(`helm template succeeded but a failure was expected (${JSON.stringify(options)})`);
  return result.stderr;
}

export function findObject(objects: readonly KubeObject[], kind: string, name?: string): KubeObject {
  const found = objects.find((object) => object.kind === kind && (name === undefined || object.metadata.name === name));
  if (found === undefined) throw new Error(`no ${kind}${name === undefined ? '' : ` ${name}`} among: ${objects.map((o) => `${o.kind}/${o.metadata.name}`).join(', ')}`);
  return found;
}

export function objectsOfKind(objects: readonly KubeObject[], kind: string): KubeObject[] {
  return objects.filter((object) => object.kind === kind);
}
