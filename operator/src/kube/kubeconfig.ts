// The operator's kubeconfig model: what a kubeconfig's current context (or a pod's service account) says about the
// API server and the credentials, with the files it references left as paths. Pure: kube/cluster-connection.ts reads
// the files. Errors name the field, e.g. "users[0].user.client-key-data is not base64".
import { isAbsolute, join } from 'node:path';
import { load } from 'js-yaml';

/** TLS or credential material: inline (a *-data field, decoded) or a file to read. */
export type Material = { kind: 'inline'; data: Buffer; field: string } | { kind: 'file'; path: string; field: string };

export type Credentials =
  | { kind: 'none' }
  | { kind: 'token'; token: string }
  /** Re-read periodically: bound service account tokens rotate. */
  | { kind: 'token-file'; path: string; field: string }
  | { kind: 'basic'; username: string; password: string }
  /** `exec` or `auth-provider` (cloud plugins): handled by @kubernetes/client-node, loaded only then. */
  | { kind: 'plugin'; plugin: 'exec' | 'auth-provider'; field: string };

export interface Kubeconfig {
  /** The context's name, or "in-cluster". */
  context: string;
  /** The context's namespace, if any. */
  namespace?: string;
  /** In-cluster: the service account's namespace file. */
  namespaceFile?: string;
  server: URL;
  tls: { ca?: Material; insecureSkipTlsVerify: boolean; serverName?: string };
  clientCertificate?: { cert: Material; key: Material };
  credentials: Credentials;
}

export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

/**
 * Parses a kubeconfig's text and resolves its current context. Relative file paths are resolved against `baseDir`
 * (the kubeconfig file's directory, as kubectl does).
 */
export function parseKubeconfig(text: string, baseDir: string): Kubeconfig {
  let document: unknown;
  try {
    document = load(text);
  } catch (error) {
    throw new Error(`not valid YAML: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`, { cause: error });
  }
  if (!isRecord(document)) throw new Error('expected a YAML mapping (apiVersion: v1, kind: Config)');
  const contextName = optionalString(document, 'current-context', 'current-context');
  if (contextName === undefined || contextName === '') throw new Error('current-context is missing');
  const context = findNamed(document, 'contexts', contextName, 'context');
  const clusterName = requiredString(context.body, 'cluster', `${context.field}.cluster`);
  const userName = optionalString(context.body, 'user', `${context.field}.user`);
  const namespace = optionalString(context.body, 'namespace', `${context.field}.namespace`);
  const cluster = findNamed(document, 'clusters', clusterName, 'cluster');
  const user = userName === undefined || userName === '' ? undefined : findNamed(document, 'users', userName, 'user');

  const serverField = `${cluster.field}.server`;
  const server = parseServer(requiredString(cluster.body, 'server', serverField), serverField);
  const ca = material(cluster.body, 'certificate-authority', cluster.field, baseDir);
  if (ca?.kind === 'inline' && !ca.data.toString('utf8').includes('-----BEGIN CERTIFICATE-----')) {
    throw new Error(`${ca.field} does not contain a PEM certificate`);
  }
  const insecure = cluster.body['insecure-skip-tls-verify'];
  if (insecure !== undefined && typeof insecure !== 'boolean') throw new Error(`${cluster.field}.insecure-skip-tls-verify must be true or false`);
  const serverName = optionalString(cluster.body, 'tls-server-name', `${cluster.field}.tls-server-name`);

  const userBody = user?.body ?? {};
  const userField = user?.field ?? 'user';
  const cert = material(userBody, 'client-certificate', userField, baseDir);
  const key = material(userBody, 'client-key', userField, baseDir);
  if ((cert === undefined) !== (key === undefined)) {
    throw new Error(cert === undefined
      ? `${userField}.client-key is set without client-certificate(-data)`
      : `${userField}.client-certificate is set without client-key(-data)`);
  }
  return {
    context: contextName,
    ...(namespace === undefined || namespace === '' ? {} : { namespace }),
    server,
    tls: { ...(ca === undefined ? {} : { ca }), insecureSkipTlsVerify: insecure === true, ...(serverName === undefined || serverName === '' ? {} : { serverName }) },
    ...(cert === undefined || key === undefined ? {} : { clientCertificate: { cert, key } }),
    credentials: parseCredentials(userBody, userField, baseDir),
  };
}

/** The pod's service account (KUBERNETES_SERVICE_HOST/PORT and the mounted token, CA and namespace). */
export function inClusterKubeconfig(env: Record<string, string | undefined>, dir = SERVICE_ACCOUNT_DIR): Kubeconfig {
  const host = env.KUBERNETES_SERVICE_HOST;
  const port = env.KUBERNETES_SERVICE_PORT;
  if (host === undefined || host === '') throw new Error('KUBERNETES_SERVICE_HOST is not set');
  if (port === undefined || !/^\d+$/.test(port)) throw new Error(`KUBERNETES_SERVICE_PORT=${JSON.stringify(port ?? '')} is not a port number`);
  const hostPart = host.includes(':') ? `[${host}]` : host;
  return {
    context: 'in-cluster',
    namespaceFile: join(dir, 'namespace'),
    server: parseServer(`https://${hostPart}:${port}`, 'KUBERNETES_SERVICE_HOST/PORT'),
    tls: { ca: { kind: 'file', path: join(dir, 'ca.crt'), field: 'the service account CA' }, insecureSkipTlsVerify: false },
    credentials: { kind: 'token-file', path: join(dir, 'token'), field: 'the service account token' },
  };
}

function parseCredentials(user: Record<string, unknown>, field: string, baseDir: string): Credentials {
  for (const plugin of ['exec', 'auth-provider'] as const) {
    if (user[plugin] !== undefined && user[plugin] !== null) return { kind: 'plugin', plugin, field: `${field}.${plugin}` };
  }
  const token = optionalString(user, 'token', `${field}.token`);
  const tokenFile = optionalString(user, 'tokenFile', `${field}.tokenFile`);
  const username = optionalString(user, 'username', `${field}.username`);
  const password = optionalString(user, 'password', `${field}.password`);
  const hasToken = (token !== undefined && token !== '') || (tokenFile !== undefined && tokenFile !== '');
  if (hasToken && username !== undefined) throw new Error(`${field}: username/password and a token may not both be set`);
  // As in client-go, a token file wins over an inline token (it is the one kept fresh).
  if (tokenFile !== undefined && tokenFile !== '') return { kind: 'token-file', path: resolvePath(tokenFile, baseDir), field: `${field}.tokenFile` };
  if (token !== undefined && token !== '') return { kind: 'token', token };
  if (username !== undefined || password !== undefined) {
    if (username === undefined || password === undefined) throw new Error(`${field}: username and password must be set together`);
    return { kind: 'basic', username, password };
  }
  return { kind: 'none' };
}

/** `<name>-data` (base64) or `<name>` (a path); both set is an error. */
function material(body: Record<string, unknown>, name: string, parent: string, baseDir: string): Material | undefined {
  const dataField = `${parent}.${name}-data`;
  const data = optionalString(body, `${name}-data`, dataField);
  const path = optionalString(body, name, `${parent}.${name}`);
  if (data !== undefined && data !== '' && path !== undefined && path !== '') throw new Error(`${parent}: ${name} and ${name}-data may not both be set`);
  if (data !== undefined && data !== '') return { kind: 'inline', data: decodeBase64(data, dataField), field: dataField };
  if (path !== undefined && path !== '') return { kind: 'file', path: resolvePath(path, baseDir), field: `${parent}.${name}` };
  return undefined;
}

function decodeBase64(text: string, field: string): Buffer {
  const compact = text.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(compact) || compact.length % 4 !== 0) throw new Error(`${field} is not base64`);
  return Buffer.from(compact, 'base64');
}

function parseServer(text: string, field: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new Error(`${field}=${JSON.stringify(text)} is not a URL`);
  }
  if (url.protocol !== 'https:') throw new Error(`${field}=${JSON.stringify(text)}: only https:// API servers are supported`);
  return url;
}

/** `contexts`, `clusters` or `users`: the entry with this name, and its field path for errors. */
function findNamed(document: Record<string, unknown>, list: string, name: string, key: string): { body: Record<string, unknown>; field: string } {
  const entries = document[list];
  if (!Array.isArray(entries)) throw new Error(`${list} is missing: no ${key} named ${JSON.stringify(name)}`);
  const index = entries.findIndex((entry) => isRecord(entry) && entry.name === name);
  if (index < 0) throw new Error(`${list} has no entry named ${JSON.stringify(name)}`);
  const body = (entries[index] as Record<string, unknown>)[key];
  if (body === undefined || body === null) return { body: {}, field: `${list}[${index}].${key}` };
  if (!isRecord(body)) throw new Error(`${list}[${index}].${key} must be a mapping`);
  return { body, field: `${list}[${index}].${key}` };
}

function resolvePath(path: string, baseDir: string): string {
  return isAbsolute(path) ? path : join(baseDir, path);
}

function requiredString(body: Record<string, unknown>, key: string, field: string): string {
  const value = optionalString(body, key, field);
  if (value === undefined || value === '') throw new Error(`${field} is missing`);
  return value;
}

function optionalString(body: Record<string, unknown>, key: string, field: string): string | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new Error(`${field} must be a string`);
  return value;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
