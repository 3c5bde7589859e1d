// The in-memory object store: one global resourceVersion counter, a bounded event history, subscribers. No I/O.
import { randomUUID } from 'node:crypto';
import { deepClone, type JsonObject } from '../patch/json-value.ts';

export type EventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface StoreEvent {
  type: EventType;
  storageKey: string;
  /** The object after the change (for DELETED, the last state with the deletion's resourceVersion). */
  object: JsonObject;
  resourceVersion: number;
  /** For MODIFIED: the object before the change (watch filters use it to turn selector transitions into ADDED/DELETED). */
  oldObject?: JsonObject;
}

export interface ObjectKey {
  namespace: string;
  name: string;
}

interface Meta {
  name: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
}

function meta(obj: JsonObject): Meta {
  return obj.metadata as unknown as Meta;
}

function keyOf(ns: string | undefined, name: string): string {
  return `${ns ?? ''}/${name}`;
}

export type WatchStart = { kind: 'ok'; events: StoreEvent[] } | { kind: 'expired'; oldest: number };

export class Store {
  private rv = 0;
  private readonly objects = new Map<string, Map<string, JsonObject>>();
  private readonly uids = new Map<string, { storageKey: string; key: string }>();
  private history: StoreEvent[] = [];
  /** Watches must start at or after this version; older ones are answered 410 Gone. */
  private compactedAt = 0;
  private readonly listeners = new Set<(e: StoreEvent) => void>();
  private readonly maxHistory: number;

  constructor(options: { maxHistory?: number } = {}) {
    this.maxHistory = options.maxHistory ?? 2000;
  }

  currentResourceVersion(): number {
    return this.rv;
  }

  oldestWatchableVersion(): number {
    return this.compactedAt;
  }

  get(storageKey: string, namespace: string | undefined, name: string): JsonObject | undefined {
    const obj = this.objects.get(storageKey)?.get(keyOf(namespace, name));
    return obj === undefined ? undefined : deepClone(obj);
  }

  /** Objects of one storage key (optionally one namespace), ordered by namespace then name. */
  list(storageKey: string, namespace?: string): JsonObject[] {
    const bucket = this.objects.get(storageKey);
    if (bucket === undefined) return [];
    const keys = [...bucket.keys()].filter((k) => namespace === undefined || k.startsWith(`${namespace}/`)).sort();
    return keys.map((k) => deepClone(bucket.get(k)!));
  }

  /** Every namespaced storage key holding objects in `namespace`. */
  storageKeysWithObjectsIn(namespace: string): string[] {
    return [...this.objects.entries()].filter(([, b]) => [...b.keys()].some((k) => k.startsWith(`${namespace}/`))).map(([k]) => k);
  }

  findByUid(uid: string): { storageKey: string; object: JsonObject } | undefined {
    const loc = this.uids.get(uid);
    if (loc === undefined) return undefined;
    const obj = this.objects.get(loc.storageKey)?.get(loc.key);
    return obj === undefined ? undefined : { storageKey: loc.storageKey, object: deepClone(obj) };
  }

  newUid(): string {
    return randomUUID();
  }

  /** Stores a new object; the caller has checked it does not exist. Returns the stored copy. */
  create(storageKey: string, obj: JsonObject): JsonObject {
    const m = meta(obj);
    let bucket = this.objects.get(storageKey);
    if (bucket === undefined) {
      bucket = new Map();
      this.objects.set(storageKey, bucket);
    }
    const stored = this.stamp(obj);
    bucket.set(keyOf(m.namespace, m.name), stored);
    if (m.uid !== undefined) this.uids.set(m.uid, { storageKey, key: keyOf(m.namespace, m.name) });
    return this.emit('ADDED', storageKey, stored);
  }

  update(storageKey: string, obj: JsonObject): JsonObject {
    const m = meta(obj);
    const stored = this.stamp(obj);
    const bucket = this.objects.get(storageKey)!;
    const old = bucket.get(keyOf(m.namespace, m.name));
    bucket.set(keyOf(m.namespace, m.name), stored);
    return this.emit('MODIFIED', storageKey, stored, old);
  }

  remove(storageKey: string, namespace: string | undefined, name: string): JsonObject | undefined {
    const bucket = this.objects.get(storageKey);
    const obj = bucket?.get(keyOf(namespace, name));
    if (bucket === undefined || obj === undefined) return undefined;
    bucket.delete(keyOf(namespace, name));
    const uid = meta(obj).uid;
    if (uid !== undefined) this.uids.delete(uid);
    return this.emit('DELETED', storageKey, this.stamp(obj));
  }

  /** Events after `resourceVersion`, or `expired` when the history no longer reaches back that far. */
  eventsAfter(resourceVersion: number): WatchStart {
    if (resourceVersion < this.compactedAt) return { kind: 'expired', oldest: this.compactedAt };
    return { kind: 'ok', events: this.history.filter((e) => e.resourceVersion > resourceVersion) };
  }

  /** Forgets all history: watches from any earlier version get 410 Gone. */
  compact(): void {
    this.history = [];
    this.compactedAt = this.rv;
  }

  subscribe(listener: (e: StoreEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private stamp(obj: JsonObject): JsonObject {
    const copy = deepClone(obj);
    (copy.metadata as JsonObject).resourceVersion = String(++this.rv);
    return copy;
  }

  private emit(type: EventType, storageKey: string, stored: JsonObject, oldObject?: JsonObject): JsonObject {
    const event: StoreEvent = { type, storageKey, object: stored, resourceVersion: this.rv };
    if (oldObject !== undefined) event.oldObject = oldObject;
    this.history.push(event);
    if (this.history.length > this.maxHistory) {
      const dropped = this.history.shift()!;
      this.compactedAt = dropped.resourceVersion;
    }
    for (const l of this.listeners) l(event);
    return deepClone(stored);
  }
}
