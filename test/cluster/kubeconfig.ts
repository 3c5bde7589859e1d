// Pure: a kubeconfig (YAML) for one cluster, one user (bearer token or client certificate) and one context.
import { dump } from 'js-yaml';

export interface KubeconfigInput {
  server: string;
  caPem: string;
  /** A bearer token, or a client certificate (PEM) — one of the two. */
  token?: string;
  clientCertificate?: { certPem: string; keyPem: string };
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
    users: [{ name: user, user: userCredentials(input) }],
    contexts: [{ name: cluster, context }],
    'current-context': cluster,
    preferences: {},
  });
}

function userCredentials(input: KubeconfigInput): Record<string, string> {
  if (input.clientCertificate !== undefined) {
    return {
      'client-certificate-data': Buffer.from(input.clientCertificate.certPem).toString('base64'),
      'client-key-data': Buffer.from(input.clientCertificate.keyPem).toString('base64'),
    };
  }
  if (input.token === undefined) throw new Error('a kubeconfig user needs a token or a client certificate');
  return { token: input.token };
}
