// Kubeconfig parsing: the current context's server, TLS and credentials, relative paths, in-cluster settings, and
// errors that name the field.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dump } from 'js-yaml';
import { inClusterKubeconfig, parseKubeconfig } from './kubeconfig.ts';

const CA_PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
const b64 = (text: string): string => Buffer.from(text).toString('base64');

function kubeconfig(user: Record<string, unknown>, cluster: Record<string, unknown> = {}, extra: Record<string, unknown> = {}): string {
  return dump({
    apiVersion: 'v1', kind: 'Config', 'current-context': 'work',
    clusters: [
      { name: 'other', cluster: { server: 'https://other.example:6443' } },
      { name: 'c', cluster: { server: 'https://127.0.0.1:6443', 'certificate-authority-data': b64(CA_PEM), ...cluster } },
    ],
    users: [{ name: 'nobody', user: {} }, { name: 'u', user }],
    contexts: [{ name: 'work', context: { cluster: 'c', user: 'u', namespace: 'team-a' } }],
    ...extra,
  }, { skipInvalid: true });
}

test('the current context: server, inline CA, bearer token, namespace', () => {
  const model = parseKubeconfig(kubeconfig({ token: 'abc' }), '/home/me/.kube');
  assert.equal(model.context, 'work');
  assert.equal(model.namespace, 'team-a');
  assert.equal(model.server.href, 'https://127.0.0.1:6443/');
  assert.equal(model.tls.ca?.kind, 'inline');
  assert.equal(model.tls.ca?.kind === 'inline' ? model.tls.ca.data.toString() : '', CA_PEM);
  assert.equal(model.tls.insecureSkipTlsVerify, false);
  assert.deepEqual(model.credentials, { kind: 'token', token: 'abc' });
});

test('files are resolved against the kubeconfig directory; a token file wins over an inline token', () => {
  const model = parseKubeconfig(kubeconfig(
    { token: 'old', tokenFile: 'token', 'client-certificate': 'certs/me.crt', 'client-key': '/abs/me.key' },
    { 'certificate-authority-data': undefined, 'certificate-authority': 'ca.crt', 'tls-server-name': 'kubernetes.default', 'insecure-skip-tls-verify': false },
  ), '/home/me/.kube');
  assert.deepEqual(model.tls.ca, { kind: 'file', path: '/home/me/.kube/ca.crt', field: 'clusters[1].cluster.certificate-authority' });
  assert.equal(model.tls.serverName, 'kubernetes.default');
  assert.deepEqual(model.clientCertificate, {
    cert: { kind: 'file', path: '/home/me/.kube/certs/me.crt', field: 'users[1].user.client-certificate' },
    key: { kind: 'file', path: '/abs/me.key', field: 'users[1].user.client-key' },
  });
  assert.deepEqual(model.credentials, { kind: 'token-file', path: '/home/me/.kube/token', field: 'users[1].user.tokenFile' });
});

test('basic auth, inline client certificates, insecure-skip-tls-verify, and plugins left to client-node', () => {
  const basic = parseKubeconfig(kubeconfig({ username: 'admin', password: 's3cret' }, { 'insecure-skip-tls-verify': true }), '/');
  assert.deepEqual(basic.credentials, { kind: 'basic', username: 'admin', password: 's3cret' });
  assert.equal(basic.tls.insecureSkipTlsVerify, true);
  const certs = parseKubeconfig(kubeconfig({ 'client-certificate-data': b64('CERT'), 'client-key-data': b64('KEY') }), '/');
  assert.equal(certs.clientCertificate?.key.kind === 'inline' ? certs.clientCertificate.key.data.toString() : '', 'KEY');
  assert.deepEqual(certs.credentials, { kind: 'none' });
  const exec = parseKubeconfig(kubeconfig({ exec: { apiVersion: 'client.authentication.k8s.io/v1', command: 'aws' } }), '/');
  assert.deepEqual(exec.credentials, { kind: 'plugin', plugin: 'exec', field: 'users[1].user.exec' });
  const provider = parseKubeconfig(kubeconfig({ 'auth-provider': { name: 'oidc' } }), '/');
  assert.equal(provider.credentials.kind === 'plugin' ? provider.credentials.plugin : '', 'auth-provider');
});

test('errors name the field that is wrong', () => {
  const error = (text: string): string => {
    try {
      parseKubeconfig(text, '/');
    } catch (caught) {
      return caught instanceof Error ? caught.message : String(caught);
    }
    return 'no error';
  };
  assert.equal(error(kubeconfig({ 'client-certificate-data': b64('CERT'), 'client-key-data': 'not base64!' })), 'users[1].user.client-key-data is not base64');
  assert.equal(error(kubeconfig({ 'client-certificate-data': b64('CERT') })), 'users[1].user.client-certificate is set without client-key(-data)');
  assert.equal(error(kubeconfig({}, { 'certificate-authority-data': b64('hello') })), 'clusters[1].cluster.certificate-authority-data does not contain a PEM certificate');
  assert.equal(error(kubeconfig({}, { server: 'http://127.0.0.1:8080' })), 'clusters[1].cluster.server="http://127.0.0.1:8080": only https:// API servers are supported');
  assert.equal(error(kubeconfig({}, { server: undefined })), 'clusters[1].cluster.server is missing');
  assert.equal(error(kubeconfig({}, { 'insecure-skip-tls-verify': 'yes' })), 'clusters[1].cluster.insecure-skip-tls-verify must be true or false');
  assert.equal(error(kubeconfig({ token: 't', username: 'u', password: 'p' })), 'users[1].user: username/password and a token may not both be set');
  assert.equal(error(kubeconfig({ username: 'u' })), 'users[1].user: username and password must be set together');
  assert.equal(error(kubeconfig({ token: 42 })), 'users[1].user.token must be a string');
  assert.equal(error(kubeconfig({}, {}, { 'current-context': 'nope' })), 'contexts has no entry named "nope"');
  assert.equal(error(kubeconfig({}, {}, { 'current-context': '' })), 'current-context is missing');
  assert.equal(error(kubeconfig({}, {}, { contexts: [{ name: 'work', context: { cluster: 'gone', user: 'u' } }] })), 'clusters has no entry named "gone"');
  assert.match(error('a: [unclosed'), /^not valid YAML: /);
  assert.equal(error('- just a list'), 'expected a YAML mapping (apiVersion: v1, kind: Config)');
});

test('in cluster: the service host and port, the mounted CA and a token file that is re-read', () => {
  const model = inClusterKubeconfig({ KUBERNETES_SERVICE_HOST: '10.96.0.1', KUBERNETES_SERVICE_PORT: '443' }, '/sa');
  assert.equal(model.server.href, 'https://10.96.0.1/');
  assert.deepEqual(model.tls.ca, { kind: 'file', path: '/sa/ca.crt', field: 'the service account CA' });
  assert.deepEqual(model.credentials, { kind: 'token-file', path: '/sa/token', field: 'the service account token' });
  assert.equal(model.namespaceFile, '/sa/namespace');
  assert.equal(inClusterKubeconfig({ KUBERNETES_SERVICE_HOST: 'fd00::1', KUBERNETES_SERVICE_PORT: '6443' }).server.host, '[fd00::1]:6443');
  assert.throws(() => inClusterKubeconfig({ KUBERNETES_SERVICE_HOST: '10.96.0.1' }), /KUBERNETES_SERVICE_PORT="" is not a port number/);
});
