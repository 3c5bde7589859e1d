// From a kubeconfig to request material: files read once (errors name the field and path), a token file re-read
// about every minute, and exec plugins run through @kubernetes/client-node.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dump } from 'js-yaml';
import { cachedFileToken, connectWithKubeconfigText, connectWithModel, type ReadFile } from './cluster-connection.ts';
import { inClusterKubeconfig } from './kubeconfig.ts';

const CA_PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';

function fakeFiles(files: Record<string, string>): ReadFile & { reads: string[] } {
  const reads: string[] = [];
  const read = (path: string): Promise<Buffer> => {
    reads.push(path);
    const text = files[path];
    return text === undefined ? Promise.reject(new Error(`ENOENT: no such file, open '${path}'`)) : Promise.resolve(Buffer.from(text));
  };
  return Object.assign(read, { reads });
}

test('in cluster: CA and namespace from the mounted files, the token as a bearer header', async () => {
  const files = fakeFiles({ '/sa/ca.crt': CA_PEM, '/sa/token': 'token-1\n', '/sa/namespace': 'apps\n' });
  const connection = await connectWithModel(inClusterKubeconfig({ KUBERNETES_SERVICE_HOST: '10.0.0.1', KUBERNETES_SERVICE_PORT: '443' }, '/sa'), 'in-cluster', files);
  assert.equal(connection.tls.ca?.toString(), CA_PEM);
  assert.equal(connection.tls.rejectUnauthorized, true);
  assert.equal(connection.namespace, 'apps');
  assert.deepEqual(await connection.headers(), { Authorization: 'Bearer token-1' });
});

test('a missing file is an error naming the field and the path', async () => {
  const files = fakeFiles({ '/sa/ca.crt': CA_PEM });
  await assert.rejects(connectWithModel(inClusterKubeconfig({ KUBERNETES_SERVICE_HOST: 'h', KUBERNETES_SERVICE_PORT: '1' }, '/sa'), 'in-cluster', files),
    /^Error: the service account token: cannot read \/sa\/token: ENOENT/);
  const text = dump({
    'current-context': 'c', contexts: [{ name: 'c', context: { cluster: 'c', user: 'u' } }],
    clusters: [{ name: 'c', cluster: { server: 'https://127.0.0.1:1', 'certificate-authority': 'ca.pem' } }], users: [{ name: 'u', user: { token: 't' } }],
  });
  await assert.rejects(connectWithKubeconfigText(text, '/kube', fakeFiles({})), /^Error: clusters\[0\]\.cluster\.certificate-authority: cannot read \/kube\/ca\.pem/);
});

test('a token file is re-read once a minute (rotated tokens), one read for concurrent requests, and a failed re-read keeps the last token', async () => {
  let now = 0;
  const files: Record<string, string> = { '/t': 'one' };
  const read = fakeFiles(files);
  const token = cachedFileToken('/t', 'tokenFile', read, () => now);
  assert.deepEqual(await Promise.all([token(), token(), token()]), ['one', 'one', 'one']);
  assert.equal(read.reads.length, 1);
  files['/t'] = 'two';
  now = 59_000;
  assert.equal(await token(), 'one', 'cached within the minute');
  now = 60_000;
  assert.equal(await token(), 'two', 'rotated token picked up');
  delete files['/t'];
  now = 130_000;
  assert.equal(await token(), 'two', 'kept while the file cannot be read');
  await assert.rejects(cachedFileToken('/missing', 'users[0].user.tokenFile', read)(), /^Error: users\[0\]\.user\.tokenFile: cannot read \/missing/);
});

test('an exec plugin user is handed to client-node, which runs the plugin for the token', async () => {
  const credential = { apiVersion: 'client.authentication.k8s.io/v1', kind: 'ExecCredential', status: { token: 'from-plugin' } };
  const text = dump({
    'current-context': 'c', contexts: [{ name: 'c', context: { cluster: 'c', user: 'u' } }],
    clusters: [{ name: 'c', cluster: { server: 'https://127.0.0.1:1', 'certificate-authority-data': Buffer.from(CA_PEM).toString('base64') } }],
    users: [{ name: 'u', user: { exec: {
      apiVersion: 'client.authentication.k8s.io/v1', command: process.execPath, args: ['-e', `console.log(${JSON.stringify(JSON.stringify(credential))})`], interactiveMode: 'Never',
    } } }],
  });
  const connection = await connectWithKubeconfigText(text, '/');
  assert.deepEqual(await connection.headers(), { Authorization: 'Bearer from-plugin' });
  assert.equal(connection.server.href, 'https://127.0.0.1:1/');
  assert.equal(connection.tls.ca?.toString(), CA_PEM);
});
