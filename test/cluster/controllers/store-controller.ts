// Base of the built-in controllers: follows the store's event stream and runs their work one job at a time.
import type { StoreEvent } from '../store/store.ts';
import type { ApiService } from '../server/api-service.ts';
import type { UserInfo } from '../server/pipeline.ts';
import { SerialQueue } from './work-queue.ts';

export abstract class StoreController {
  protected readonly service: ApiService;
  /** Who the controller acts as when it writes through the API pipeline. */
  protected readonly user: UserInfo;
  protected readonly queue: SerialQueue;
  private unsubscribe: (() => void) | undefined;

  constructor(service: ApiService, user: UserInfo, onError: (err: unknown) => void) {
    this.service = service;
    this.user = user;
    this.queue = new SerialQueue(onError);
  }

  start(): void {
    this.unsubscribe = this.service.store.subscribe((event) => this.onEvent(event));
    this.onStart();
  }

  stop(): void {
    this.unsubscribe?.();
  }

  /** Resolves once every job queued so far has run. */
  idle(): Promise<void> {
    return this.queue.idle();
  }

  /** Work on the objects that already exist when the controller starts. */
  protected onStart(): void {}

  protected abstract onEvent(event: StoreEvent): void;
}

/** A controller that reconciles objects by namespace/name, each queued at most once until it runs. */
export abstract class KeyedController extends StoreController {
  private readonly pending = new Set<string>();

  protected enqueue(namespace: string, name: string): void {
    const key = `${namespace}/${name}`;
    if (this.pending.has(key)) return;
    this.pending.add(key);
    this.queue.push(async () => {
      this.pending.delete(key);
      await this.reconcile(namespace, name);
    });
  }

  protected abstract reconcile(namespace: string, name: string): Promise<void>;
}
