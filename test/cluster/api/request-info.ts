// Pure: turns a request path into what it addresses (discovery document or resource), like the apiserver's RequestInfo.

export type RequestTarget =
  | { kind: 'discovery'; path: string }
  | {
    kind: 'resource';
    group: string;
    version: string;
    /** Namespace from the path; undefined for cluster-scoped paths and all-namespace lists. */
    namespace: string | undefined;
    resource: string;
    name: string | undefined;
    subresource: string | undefined;
    /** The legacy `/watch/` path prefix was used. */
    watchPrefix: boolean;
  }
  | { kind: 'unknown' };

const NAMESPACE_SUBRESOURCES = new Set(['status', 'finalize']);

export function decideRequestTarget(path: string): RequestTarget {
  const segments = path.split('/').filter((s) => s !== '').map(decodeURIComponent);
  let rest: string[];
  let group: string;
  let version: string;
  if (segments[0] === 'api') {
    if (segments.length <= 2) return { kind: 'discovery', path: '/' + segments.join('/') };
    group = '';
    version = segments[1]!;
    rest = segments.slice(2);
  } else if (segments[0] === 'apis') {
    if (segments.length <= 3) return { kind: 'discovery', path: '/' + segments.join('/') };
    group = segments[1]!;
    version = segments[2]!;
    rest = segments.slice(3);
  } else {
    return { kind: 'discovery', path: '/' + segments.join('/') };
  }
  let watchPrefix = false;
  if (rest[0] === 'watch') {
    watchPrefix = true;
    rest = rest.slice(1);
  }
  if (rest.length === 0) return { kind: 'unknown' };
  let namespace: string | undefined;
  if (rest[0] === 'namespaces' && rest.length >= 3 && !(rest.length === 3 && NAMESPACE_SUBRESOURCES.has(rest[2]!))) {
    namespace = rest[1];
    rest = rest.slice(2);
  }
  if (rest.length > 3) return { kind: 'unknown' };
  return {
    kind: 'resource', group, version, namespace,
    resource: rest[0]!, name: rest[1], subresource: rest[2], watchPrefix,
  };
}
