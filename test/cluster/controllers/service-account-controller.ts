// Controller: the `default` ServiceAccount in every namespace (the serviceaccount controller), and the legacy token
// controller — fills `kubernetes.io/service-account-token` Secrets with token, ca.crt and namespace, and deletes them
// with their ServiceAccount.
import { ApiError } from '../api/status.ts';
import { metaOf } from '../api/object-meta.ts';
import { isJsonObject, type JsonObject } from '../patch/json-value.ts';
import type { StoreEvent } from '../store/store.ts';
import type { ApiService } from '../server/api-service.ts';
import type { UserInfo } from '../server/pipeline.ts';
import type { AccessControl } from '../auth/access-control.ts';
import { StoreController } from './store-controller.ts';

export const SA_TOKEN_TYPE = 'kubernetes.io/service-account-token';
const SA_NAME = 'kubernetes.io/service-account.name';
const SA_UID = 'kubernetes.io/service-account.uid';

export class ServiceAccountController extends StoreController {
  private readonly access: AccessControl;
  private readonly caPem: string;

  constructor(options: { service: ApiService; user: UserInfo; access: AccessControl; caPem: string; onError: (err: unknown) => void }) {
    super(options.service, options.user, options.onError);
    this.access = options.access;
    this.caPem = options.caPem;
  }

  protected override onStart(): void {
    for (const ns of this.service.store.list('/namespaces')) this.queue.push(() => this.ensureDefault(metaOf(ns).name!));
  }

  protected onEvent(e: StoreEvent): void {
    const m = metaOf(e.object);
    if (e.storageKey === '/namespaces' && e.type === 'ADDED') {
      this.queue.push(() => this.ensureDefault(m.name!));
    } else if (e.storageKey === '/serviceaccounts' && e.type === 'DELETED') {
      this.queue.push(() => this.deleteTokens(m.namespace!, m.name!));
    } else if (e.storageKey === '/serviceaccounts' && e.type === 'ADDED') {
      for (const s of this.service.store.list('/secrets', m.namespace)) if (this.needsToken(s)) this.queue.push(() => this.fillToken(m.namespace!, metaOf(s).name!));
    } else if (e.storageKey === '/secrets' && e.type !== 'DELETED' && this.needsToken(e.object)) {
      this.queue.push(() => this.fillToken(m.namespace!, m.name!));
    }
  }

  private needsToken(secret: JsonObject): boolean {
    if (secret.type !== SA_TOKEN_TYPE || metaOf(secret).deletionTimestamp !== undefined) return false;
    const data = isJsonObject(secret.data) ? secret.data : {};
    return typeof data.token !== 'string' || data.token === '';
  }

  private async ensureDefault(namespace: string): Promise<void> {
    const ns = this.service.store.get('/namespaces', undefined, namespace);
    if (ns === undefined || metaOf(ns).deletionTimestamp !== undefined) return;
    if (this.service.store.get('/serviceaccounts', namespace, 'default') !== undefined) return;
    const type = this.service.registry.find('', 'v1', 'serviceaccounts')!;
    try {
      await this.service.create(type, namespace, { metadata: { name: 'default' } }, { user: this.user });
    } catch (err) {
      // A namespace that went away or started terminating meanwhile, or a racing create: nothing to do.
      if (err instanceof ApiError && (err.code === 404 || err.code === 403 || err.code === 409)) return;
      throw err;
    }
  }

  private async fillToken(namespace: string, name: string): Promise<void> {
    const secret = this.service.store.get('/secrets', namespace, name);
    if (secret === undefined || !this.needsToken(secret)) return;
    const annotations = metaOf(secret).annotations ?? {};
    const saName = annotations[SA_NAME];
    if (saName === undefined) return;
    const sa = this.service.store.get('/serviceaccounts', namespace, saName);
    if (sa === undefined) return; // filled once the ServiceAccount exists
    const saUid = metaOf(sa).uid!;
    if (annotations[SA_UID] !== undefined && annotations[SA_UID] !== saUid) return;
    const token = this.access.issueLegacyToken(sa, name);
    const next: JsonObject = {
      ...secret,
      metadata: { ...(secret.metadata as JsonObject), annotations: { ...annotations, [SA_UID]: saUid } },
      data: {
        ...(isJsonObject(secret.data) ? secret.data : {}),
        token: Buffer.from(token).toString('base64'),
        'ca.crt': Buffer.from(this.caPem).toString('base64'),
        namespace: Buffer.from(namespace).toString('base64'),
      },
    };
    const type = this.service.registry.find('', 'v1', 'secrets')!;
    try {
      await this.service.update(type, namespace, name, next, undefined, { user: this.user });
    } catch (err) {
      if (err instanceof ApiError && (err.code === 404 || err.code === 409)) return; // gone or changed: the next event retries
      throw err;
    }
  }

  private async deleteTokens(namespace: string, saName: string): Promise<void> {
    const type = this.service.registry.find('', 'v1', 'secrets')!;
    for (const s of this.service.store.list('/secrets', namespace)) {
      if (s.type !== SA_TOKEN_TYPE || (metaOf(s).annotations ?? {})[SA_NAME] !== saName) continue;
      try {
        await this.service.delete(type, namespace, metaOf(s).name!, { user: this.user });
      } catch (err) {
        if (err instanceof ApiError && err.code === 404) continue;
        throw err;
      }
    }
  }
}
