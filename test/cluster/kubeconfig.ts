// Pure: a kubeconfig (YAML) for one cluster, one bearer-token user and one context.
import { dump } from 'js-yaml';

export interface KubeconfigInput {
  server: string;
  caPem: string;
  token: string;
  clusterName?: string;
  userName?: string;
  namespace?: string;
}

export function buildKubeconfig(input: KubeconfigInput): string {
  const cluster = input.clusterName ?? 'tapr-local';
  const user = input.userName ?? 'admin';
  const context: Record<string, string> = { cluster, user };
  if (input.namespace !== undefined) context.namespace = input.namespace;
  return dump({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: cluster, cluster: { server: input.server, 'certificate-authority-data': Buffer.from(input.caPem).toString('base64') } }],
    users: [{ name: user, user: { token: input.token } }],
    contexts: [{ name: cluster, context }],
    'current-context': cluster,
    preferences: {},
  });
}
