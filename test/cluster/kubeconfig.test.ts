// Unit test for the kubeconfig builder.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { load } from 'js-yaml';
import { buildKubeconfig } from './kubeconfig.ts';

test('kubeconfig carries server, CA data and token under the current context', () => {
  const cfg = load(buildKubeconfig({ server: 'https://127.0.0.1:6443', caPem: 'PEM', token: 't0k' })) as {
    clusters: { cluster: { server: string; 'certificate-authority-data': string } }[]; users: { user: { token: string } }[]; 'current-context': string;
  };
  assert.equal(cfg.clusters[0]!.cluster.server, 'https://127.0.0.1:6443');
  assert.equal(Buffer.from(cfg.clusters[0]!.cluster['certificate-authority-data'], 'base64').toString(), 'PEM');
  assert.equal(cfg.users[0]!.user.token, 't0k');
  assert.equal(cfg['current-context'], 'tapr-local');
});
