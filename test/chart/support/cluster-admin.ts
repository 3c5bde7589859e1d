// Admin access to a local cluster for the install test (I/O): JSON requests with the admin token, and `kubectl apply`
// of rendered objects (create, or replace when present), resolving each kind's resource through API discovery.
import { request } from 'node:https';
import type { Cluster } from '../../cluster/start-cluster.ts';
import type { KubeObject } from './parse-manifests.ts';

export class AdminRequestError extends Error {
  readonly status: number;

  constructor(status: number, message: string) {
    super(message);
    this.name = 'AdminRequestError';
    this.status = status;
  }
}

export interface ClusterAdmin {
  request<T = unknown>(method: string, path: string, body?: unknown): Promise<T>;
  /** Creates each object in order, replacing one that exists (like `kubectl apply` of a fresh render). */
  apply(objects: readonly KubeObject[]): Promise<void>;
  /** The object, or undefined on 404. */
  get<T = unknown>(path: string): Promise<T | undefined>;
}

interface ApiResourceList { resources: { name: string; kind: string; namespaced: boolean }[] }

export function clusterAdmin(cluster: Cluster): ClusterAdmin {
  const server = new URL(cluster.server);
  const discovered = new Map<string, ApiResourceList>();

  function call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    return new Promise<T>((resolve, reject) => {
      const req = request({
        host: server.hostname, port: server.port, path, method, ca: cluster.caPem,
        headers: {
          Authorization: `Bearer ${cluster.adminToken}`, Accept: 'application/json',
          ...(payload === undefined ? {} : { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(payload) }),
        },
      }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const status = res.statusCode ?? 0;
          const json = (res.headers['content-type'] ?? '').includes('json');
          if (status >= 200 && status < 300) resolve((text === '' || !json ? text : JSON.parse(text)) as T);
          else reject(new AdminRequestError(status, `${method} ${path} → ${status}: ${text.slice(0, 500)}`));
        });
      });
      req.on('error', reject);
      req.end(payload);
    });
  }

  async function resourcePath(object: KubeObject): Promise<{ collection: string; item: string }> {
    const groupVersionPath = object.apiVersion.includes('/') ? `/apis/${object.apiVersion}` : `/api/${object.apiVersion}`;
    let list = discovered.get(groupVersionPath);
    if (list === undefined) {
      list = await call<ApiResourceList>('GET', groupVersionPath);
      discovered.set(groupVersionPath, list);
    }
    const resource = list.resources.find((candidate) => candidate.kind === object.kind && !candidate.name.includes('/'));
    if (resource === undefined) throw new Error(`the cluster does not serve ${object.kind} in ${object.apiVersion}`);
    const namespace = object.metadata.namespace ?? 'default';
    const collection = resource.namespaced ? `${groupVersionPath}/namespaces/${namespace}/${resource.name}` : `${groupVersionPath}/${resource.name}`;
    return { collection, item: `${collection}/${object.metadata.name}` };
  }

  return {
    request: call,
    async get<T>(path: string): Promise<T | undefined> {
      try {
        return await call<T>('GET', path);
      } catch (error) {
        if (error instanceof AdminRequestError && error.status === 404) return undefined;
        throw error;
      }
    },
    async apply(objects) {
      for (const object of objects) {
        const { collection, item } = await resourcePath(object);
        try {
          await call('POST', collection, object);
        } catch (error) {
          if (!(error instanceof AdminRequestError && error.status === 409)) throw error;
          const current = await call<{ metadata: { resourceVersion: string } }>('GET', item);
          await call('PUT', item, { ...object, metadata: { ...object.metadata, resourceVersion: current.metadata.resourceVersion } });
        }
        // A CRD serves its kind only once established.
        if (object.kind === 'CustomResourceDefinition') discovered.clear();
      }
    },
  };
}
