// The image map: which local command runs for a container image (YAML file or object), with ${POD_IP} substitution,
// and the built-in entry for the project's gateway image. Pure except loadImageMapFile.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { load as loadYaml } from 'js-yaml';

export interface ImageEntry {
  /** The image's entrypoint (container `command` replaces it). */
  command: string[];
  /** The image's default arguments (container `args` replace them). */
  args?: string[];
  /** Extra environment (values may use ${POD_IP}, ${POD_NAME}, ${POD_NAMESPACE}). */
  env?: Record<string, string>;
  /** Working directory of the process (default: the cluster's). */
  workingDir?: string;
}

export type ImageMap = Record<string, ImageEntry>;

export const GATEWAY_IMAGE = 'ghcr.io/tapr-ws/ws-gateway';
export const OPERATOR_IMAGE = 'ghcr.io/tapr-ws/operator';
const REPO_ROOT = resolve(import.meta.dirname, '..', '..', '..');

export function defaultImageMap(): ImageMap {
  return {
    [GATEWAY_IMAGE]: { command: [process.execPath, resolve(REPO_ROOT, 'sidecar/src/main.ts')], env: { WS_GATEWAY_HOST: '${POD_IP}' } },
    // The pod IP, not 0.0.0.0: in its own network namespace either works; the pod IP keeps the operator off loopback.
    [OPERATOR_IMAGE]: {
      command: [process.execPath, resolve(REPO_ROOT, 'operator/src/main.ts')],
      env: { OPERATOR_WEBHOOK_HOST: '${POD_IP}', OPERATOR_HEALTH_HOST: '${POD_IP}' },
    },
  };
}

function stringList(v: unknown, where: string): string[] {
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string' && typeof x !== 'number')) throw new Error(`${where}: expected a list of strings`);
  return v.map(String);
}

/** Validates a parsed image map (`{ <image>: { command, args?, env?, workingDir? } }`, optionally under `images:`). */
export function parseImageMap(doc: unknown, source: string): ImageMap {
  const root = typeof doc === 'object' && doc !== null && !Array.isArray(doc) && 'images' in doc ? doc.images : doc;
  if (root === null || root === undefined) return {};
  if (typeof root !== 'object' || Array.isArray(root)) throw new Error(`${source}: expected a mapping of image name to { command: [...] }`);
  const out: ImageMap = {};
  for (const [image, raw] of Object.entries(root as Record<string, unknown>)) {
    const where = `${source}: ${image}`;
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new Error(`${where}: expected { command: [...] }`);
    const r = raw as Record<string, unknown>;
    const entry: ImageEntry = { command: stringList(r.command, `${where}.command`) };
    if (entry.command.length === 0) throw new Error(`${where}.command: must not be empty`);
    if (r.args !== undefined) entry.args = stringList(r.args, `${where}.args`);
    if (r.env !== undefined) {
      if (typeof r.env !== 'object' || r.env === null || Array.isArray(r.env)) throw new Error(`${where}.env: expected a mapping`);
      entry.env = Object.fromEntries(Object.entries(r.env as Record<string, unknown>).map(([k, v]) => [k, String(v)]));
    }
    if (typeof r.workingDir === 'string') entry.workingDir = r.workingDir;
    out[image] = entry;
  }
  return out;
}

export function loadImageMapFile(path: string): ImageMap {
  return parseImageMap(loadYaml(readFileSync(path, 'utf8')), path);
}

/** The image without its tag or digest: `a/b:1` → `a/b`, `host:5000/a@sha256:…` → `host:5000/a`. */
export function imageRepository(image: string): string {
  const noDigest = image.split('@')[0]!;
  const slash = noDigest.lastIndexOf('/');
  const colon = noDigest.lastIndexOf(':');
  return colon > slash ? noDigest.slice(0, colon) : noDigest;
}

/** Exact image first, then the image without tag/digest (an entry for `a/b` matches `a/b:any`). */
export function resolveImage(map: ImageMap, image: string): ImageEntry | undefined {
  return map[image] ?? map[imageRepository(image)];
}

export function substitute(value: string, vars: Record<string, string>): string {
  return value.replace(/\$\{([A-Z_][A-Z0-9_]*)\}/g, (all, name: string) => vars[name] ?? all);
}
