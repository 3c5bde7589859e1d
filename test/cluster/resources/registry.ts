// The set of resource types currently served (built-ins plus those CRDs define); notifies discovery of changes. No I/O.
import type { ResourceType } from './resource-type.ts';

export class ResourceRegistry {
  private readonly builtins: ResourceType[];
  private readonly custom = new Map<string, ResourceType[]>();
  private readonly listeners = new Set<() => void>();

  constructor(builtins: ResourceType[]) {
    this.builtins = builtins;
  }

  all(): ResourceType[] {
    return [...this.builtins, ...[...this.custom.values()].flat()];
  }

  find(group: string, version: string, resource: string): ResourceType | undefined {
    return this.all().find((t) => t.group === group && t.version === version && t.resource === resource);
  }

  /** All served types that share storage with `t` (its other versions, or the other Event API). */
  sharingStorage(storageKey: string): ResourceType[] {
    return this.all().filter((t) => t.storageKey === storageKey);
  }

  /** The type a storage key is read back as by internal callers (the first served version). */
  byStorageKey(storageKey: string): ResourceType | undefined {
    return this.all().find((t) => t.storageKey === storageKey && t.codec === undefined);
  }

  /** Replaces the types served for one CRD (empty removes them). */
  setCustom(crdName: string, types: ResourceType[]): void {
    if (types.length === 0) this.custom.delete(crdName);
    else this.custom.set(crdName, types);
    for (const l of this.listeners) l();
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
