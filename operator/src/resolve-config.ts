// What the configuration needs from the environment at start-up (I/O): the kubeconfig (file or in-cluster service
// account), the API server version (native sidecars in auto mode), and the Redis URL from its Secret.
import { connectInCluster, connectWithKubeconfigFile, type KubeConnection } from './kube/cluster-connection.ts';
import type { ApiClient } from './kube/api-client.ts';
import { parseGatewaySettings, type GatewaySettings } from './injection/gateway-settings.ts';
import type { OperatorConfig } from './config.ts';

export type KubeconfigResult = { ok: true; kubeconfig: KubeConnection; source: string } | { ok: false; error: string };

/** A kubeconfig file when one is configured; inside a cluster, the pod's service account; otherwise an error. */
export async function loadKubeconfig(path: string | undefined, env: Record<string, string | undefined>): Promise<KubeconfigResult> {
  if (path !== undefined) {
    try {
      return { ok: true, kubeconfig: await connectWithKubeconfigFile(path), source: path };
    } catch (error) {
      return { ok: false, error: `--kubeconfig / KUBECONFIG=${JSON.stringify(path)} is invalid: ${error instanceof Error ? error.message : String(error)}` };
    }
  }
  if (env.KUBERNETES_SERVICE_HOST !== undefined && env.KUBERNETES_SERVICE_HOST !== '') {
    try {
      return { ok: true, kubeconfig: await connectInCluster(env), source: 'in-cluster service account' };
    } catch (error) {
      return { ok: false, error: `in-cluster service account unusable: ${error instanceof Error ? error.message : String(error)}` };
    }
  }
  return { ok: false, error: '--kubeconfig / KUBECONFIG is missing: required outside a cluster (a path to a kubeconfig file)' };
}

export interface ServerVersion { major: string; minor: string; gitVersion?: string }

export async function readServerVersion(api: ApiClient): Promise<ServerVersion> {
  const version = await api.request<Partial<ServerVersion>>({ method: 'GET', path: '/version', timeoutMs: 10_000 });
  // Some distributions report a minor version such as "29+".
  return { major: String(version.major ?? ''), minor: String(version.minor ?? '').replace(/\D+$/, ''), ...(version.gitVersion === undefined ? {} : { gitVersion: version.gitVersion }) };
}

/** Reads the Redis URL from its Secret in the operator's namespace and adds it to the gateway settings. */
export async function withRedisFromSecret(api: ApiClient, config: OperatorConfig): Promise<GatewaySettings> {
  const redis = config.redis;
  if (redis === undefined) return config.settings;
  const where = `Secret ${config.namespace}/${redis.secretName} key ${redis.secretKey}`;
  let secret: { data?: Record<string, string> };
  try {
    secret = await api.request<{ data?: Record<string, string> }>({ method: 'GET', path: `/api/v1/namespaces/${config.namespace}/secrets/${redis.secretName}` });
  } catch (error) {
    throw new Error(`cannot read the Redis URL from ${where}`, { cause: error });
  }
  const encoded = secret.data?.[redis.secretKey];
  if (encoded === undefined) throw new Error(`${where}: the key is missing`);
  const url = Buffer.from(encoded, 'base64').toString('utf8').trim();
  const parsed = parseGatewaySettings({
    ...config.settings,
    redis: { url, prefix: redis.prefix, ...(redis.secretInPods ? { secretRef: { name: redis.secretName, key: redis.secretKey } } : {}) },
  });
  if (!parsed.ok) throw new Error(`${where}: ${parsed.error.replace(/^redis\.url: /, '')}`);
  return parsed.settings;
}
