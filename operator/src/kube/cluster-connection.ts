// From a kubeconfig model to what the API client needs per request (I/O): the server, the TLS material read from its
// files, and request headers from cached credentials (a token file is re-read about every minute, as client-go does,
// since bound service account tokens rotate). `exec` / `auth-provider` users are handed to @kubernetes/client-node,
// imported only for them: loading it costs the operator ~90 MB of memory.
import { readFile as readFileFromDisk } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { RequestOptions } from 'node:https';
import { inClusterKubeconfig, parseKubeconfig, SERVICE_ACCOUNT_DIR, type Kubeconfig, type Material } from './kubeconfig.ts';

export interface TlsMaterial {
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  servername?: string;
  rejectUnauthorized: boolean;
}

export interface KubeConnection {
  server: URL;
  /** For the keep-alive agent, built once. */
  tls: TlsMaterial;
  /** The context's namespace (in-cluster: the service account's), if any. */
  namespace: string | undefined;
  /** Headers one request carries (Authorization), from cached credentials. */
  headers(): Promise<Record<string, string>>;
  /** Where it came from, for the log: a file path or "in-cluster service account". */
  source: string;
}

export type ReadFile = (path: string) => Promise<Buffer>;

/** How often a token file is re-read (client-go: about every minute). */
export const TOKEN_FILE_MAX_AGE_MS = 60_000;

export async function connectWithKubeconfigFile(path: string, readFile: ReadFile = readFileFromDisk): Promise<KubeConnection> {
  const absolute = resolve(path);
  const text = await readFile(absolute).then((data) => data.toString('utf8'), (error: unknown) => {
    throw new Error(`cannot read it: ${error instanceof Error ? error.message : String(error)}`);
  });
  const model = parseKubeconfig(text, dirname(absolute));
  if (model.credentials.kind === 'plugin') return await connectWithClientNode(model, { file: absolute }, path);
  return await connectWithModel(model, path, readFile);
}

/** A kubeconfig given as text (tests, the bench); relative paths in it are resolved against `baseDir`. */
export async function connectWithKubeconfigText(text: string, baseDir = process.cwd(), readFile: ReadFile = readFileFromDisk): Promise<KubeConnection> {
  const model = parseKubeconfig(text, baseDir);
  if (model.credentials.kind === 'plugin') return await connectWithClientNode(model, { text }, 'kubeconfig text');
  return await connectWithModel(model, 'kubeconfig text', readFile);
}

export async function connectInCluster(env: Record<string, string | undefined>, dir = SERVICE_ACCOUNT_DIR, readFile: ReadFile = readFileFromDisk): Promise<KubeConnection> {
  return await connectWithModel(inClusterKubeconfig(env, dir), 'in-cluster service account', readFile);
}

export async function connectWithModel(model: Kubeconfig, source: string, readFile: ReadFile = readFileFromDisk, now: () => number = Date.now): Promise<KubeConnection> {
  const read = async (material: Material): Promise<Buffer> => {
    if (material.kind === 'inline') return material.data;
    try {
      return await readFile(material.path);
    } catch (error) {
      throw new Error(`${material.field}: cannot read ${material.path}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
  };
  const tls: TlsMaterial = { rejectUnauthorized: !model.tls.insecureSkipTlsVerify };
  if (model.tls.ca !== undefined) tls.ca = await read(model.tls.ca);
  if (model.clientCertificate !== undefined) {
    tls.cert = await read(model.clientCertificate.cert);
    tls.key = await read(model.clientCertificate.key);
  }
  if (model.tls.serverName !== undefined) tls.servername = model.tls.serverName;
  let namespace = model.namespace;
  if (namespace === undefined && model.namespaceFile !== undefined) {
    namespace = await readFile(model.namespaceFile).then((data) => data.toString('utf8').trim() || undefined, () => undefined);
  }

  const credentials = model.credentials;
  let headers: () => Promise<Record<string, string>>;
  if (credentials.kind === 'token') {
    const fixed = { Authorization: `Bearer ${credentials.token}` };
    headers = () => Promise.resolve(fixed);
  } else if (credentials.kind === 'token-file') {
    const token = cachedFileToken(credentials.path, credentials.field, readFile, now);
    await token();
    headers = async () => ({ Authorization: `Bearer ${await token()}` });
  } else if (credentials.kind === 'basic') {
    const fixed = { Authorization: `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}` };
    headers = () => Promise.resolve(fixed);
  } else if (credentials.kind === 'none') {
    headers = () => Promise.resolve({});
  } else {
    throw new Error(`${credentials.field}: a credential plugin needs the kubeconfig text (connectWithKubeconfigFile / connectWithKubeconfigText)`);
  }
  return { server: model.server, tls, namespace, headers, source };
}

/**
 * A token read from a file, cached for `maxAgeMs`. A failed re-read keeps the last token (and is retried after a
 * second); only a first read that fails is an error.
 */
export function cachedFileToken(path: string, field: string, readFile: ReadFile, now: () => number = Date.now, maxAgeMs = TOKEN_FILE_MAX_AGE_MS): () => Promise<string> {
  let token: string | undefined;
  let freshUntil = 0;
  let reading: Promise<string> | undefined;
  const reread = async (): Promise<string> => {
    try {
      const text = (await readFile(path)).toString('utf8').trim();
      if (text === '') throw new Error('the file is empty');
      token = text;
      freshUntil = now() + maxAgeMs;
    } catch (error) {
      if (token === undefined) throw new Error(`${field}: cannot read ${path}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
      freshUntil = now() + 1000;
    }
    return token;
  };
  return async () => {
    if (token !== undefined && now() < freshUntil) return token;
    reading ??= reread().finally(() => { reading = undefined; });
    return await reading;
  };
}

/** `exec` / `auth-provider` users: client-node's KubeConfig runs the plugin and yields the request options. */
async function connectWithClientNode(model: Kubeconfig, from: { file: string } | { text: string }, source: string): Promise<KubeConnection> {
  const { KubeConfig } = await import('@kubernetes/client-node');
  const kc = new KubeConfig();
  if ('file' in from) kc.loadFromFile(from.file);
  else kc.loadFromString(from.text);
  const requestOptions = async (): Promise<RequestOptions> => {
    const options: RequestOptions = { headers: {} };
    await kc.applyToHTTPSOptions(options);
    return options;
  };
  const first = await requestOptions();
  const tls: TlsMaterial = { rejectUnauthorized: first.rejectUnauthorized !== false };
  if (first.ca !== undefined) tls.ca = Buffer.from(first.ca as string | Buffer);
  if (first.cert !== undefined) tls.cert = Buffer.from(first.cert as string | Buffer);
  if (first.key !== undefined) tls.key = Buffer.from(first.key as string | Buffer);
  if (first.servername !== undefined) tls.servername = first.servername;
  return {
    server: model.server,
    tls,
    namespace: model.namespace,
    headers: async (): Promise<Record<string, string>> => {
      const { headers } = await requestOptions();
      const authorization = (headers as Record<string, unknown> | undefined)?.Authorization ?? (headers as Record<string, unknown> | undefined)?.authorization;
      return typeof authorization === 'string' ? { Authorization: authorization } : {};
    },
    source,
  };
}
