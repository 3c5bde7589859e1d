// Start-up checks against the API server that fail fast with a reason (I/O): do the operator's namespace and the
// watched namespaces exist? (Listing a missing namespace answers an empty list, so nothing else would notice.)
import { getIfExists, isApiError, type ApiClient } from './kube/api-client.ts';

export interface NamespaceToCheck { name: string; option: string }

/** The namespaces among `wanted` that the API server says do not exist (404). A 403 proves nothing and is skipped. */
export async function findMissingNamespaces(api: ApiClient, wanted: NamespaceToCheck[]): Promise<NamespaceToCheck[]> {
  const missing: NamespaceToCheck[] = [];
  for (const namespace of wanted) {
    try {
      const found = await getIfExists(api, `/api/v1/namespaces/${encodeURIComponent(namespace.name)}`, 10_000);
      if (found === undefined) missing.push(namespace);
    } catch (error) {
      // Without RBAC on namespaces (a Role-only install), the check cannot tell; the operator starts as before.
      if (!isApiError(error, 403)) throw error;
    }
  }
  return missing;
}

/** The operator's own namespace and every watched one, each once, with the option that named it. */
export function namespacesToCheck(namespace: string, watchNamespaces: 'all' | string[]): NamespaceToCheck[] {
  const list: NamespaceToCheck[] = [{ name: namespace, option: '--namespace' }];
  if (watchNamespaces !== 'all') {
    for (const name of watchNamespaces) if (name !== namespace) list.push({ name, option: '--watch-namespaces' });
  }
  return list;
}
