// Renders the tapr-ws chart with the real `helm template` and returns the parsed objects; also the path helpers the
// chart tests and the install test share. I/O (runs helm).
import { runHelm, runHelmChecked } from './helm.ts';
import { buildValuesArgs, CHART_DIR, DEFAULT_NAMESPACE, DEFAULT_RELEASE, type ValuesOptions } from './chart-paths.ts';
import { parseManifests, type KubeObject } from './parse-manifests.ts';

export { CHART_DIR, DEFAULT_NAMESPACE, DEFAULT_RELEASE, REPO_ROOT, VALUES_DIR } from './chart-paths.ts';

export interface RenderOptions extends ValuesOptions {
  releaseName?: string;
  namespace?: string;
  includeCrds?: boolean;
  /** --kube-version: the cluster version to assume instead of the one built into Helm (Kubernetes 1.37). */
  kubeVersion?: string;
}

export function helmTemplateArgs(options: RenderOptions = {}): string[] {
  const args = ['template', options.releaseName ?? DEFAULT_RELEASE, CHART_DIR, '--namespace', options.namespace ?? DEFAULT_NAMESPACE];
  args.push(...buildValuesArgs(options));
  if (options.includeCrds === true) args.push('--include-crds');
  if (options.kubeVersion !== undefined) args.push('--kube-version', options.kubeVersion);
  return args;
}

/** The rendered objects; throws naming the helm command and its stderr when rendering fails. */
export async function renderChart(options: RenderOptions = {}): Promise<KubeObject[]> {
  return parseManifests((await runHelmChecked(helmTemplateArgs(options))).stdout);
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
