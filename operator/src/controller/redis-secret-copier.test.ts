import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError, type ApiClient, type ApiRequest } from '../kube/api-client.ts';
import { CONFIRMED_FOR_MS, createRedisSecretCopier } from './redis-secret-copier.ts';

const source = { name: 'tapr-ws-redis', key: 'url', url: 'redis://redis:6379' };
const gateway = { metadata: { name: 'chat', namespace: 'shop', uid: 'u1' } };

/** An API with one Secret store: GET/POST/PUT on /api/v1/namespaces/<ns>/secrets[/<name>]. */
function fakeApi(): { api: ApiClient; calls: string[]; secrets: Map<string, unknown> } {
  const secrets = new Map<string, unknown>();
  const calls: string[] = [];
  const api: ApiClient = {
    request: <T>(req: ApiRequest): Promise<T> => {
      calls.push(`${req.method} ${req.path}`);
      const key = req.path.replace(/\/secrets$/, `/secrets/${source.name}`);
      if (req.method === 'GET') {
        if (!secrets.has(key)) return Promise.reject(new ApiError(404, 'NotFound', 'not found', undefined));
        return Promise.resolve(secrets.get(key) as T);
      }
      secrets.set(key, req.body);
      return Promise.resolve(req.body as T);
    },
    close: () => {},
  };
  return { api, calls, secrets };
}

test('the copy is created once, trusted for a while, and recreated after someone deleted it', async () => {
  let clock = 0;
  const { api, calls, secrets } = fakeApi();
  const copier = createRedisSecretCopier({ api, source, operatorNamespace: 'tapr-system', now: () => clock });
  await copier.ensure('shop', [gateway]);
  assert.deepEqual(calls, ['GET /api/v1/namespaces/shop/secrets/tapr-ws-redis', 'POST /api/v1/namespaces/shop/secrets']);
  await copier.ensure('shop', [gateway]);
  assert.equal(calls.length, 2, 'a confirmed copy costs no API call');
  secrets.clear();
  clock += CONFIRMED_FOR_MS;
  await copier.ensure('shop', [gateway]);
  assert.deepEqual(calls.slice(2), ['GET /api/v1/namespaces/shop/secrets/tapr-ws-redis', 'POST /api/v1/namespaces/shop/secrets']);
});

test('the operator\'s own namespace holds the original and is never written', async () => {
  const { api, calls } = fakeApi();
  const copier = createRedisSecretCopier({ api, source, operatorNamespace: 'shop' });
  await copier.ensure('shop', [gateway]);
  assert.deepEqual(calls, []);
});

test('a Secret of that name the operator did not make is left as it is', async () => {
  const { api, calls, secrets } = fakeApi();
  secrets.set('/api/v1/namespaces/shop/secrets/tapr-ws-redis', { metadata: { name: 'tapr-ws-redis', labels: {} }, data: { url: 'b3RoZXI=' } });
  const copier = createRedisSecretCopier({ api, source, operatorNamespace: 'tapr-system' });
  await copier.ensure('shop', [gateway]);
  assert.deepEqual(calls, ['GET /api/v1/namespaces/shop/secrets/tapr-ws-redis']);
});
