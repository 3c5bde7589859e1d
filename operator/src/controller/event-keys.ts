// Which Deployment keys ("namespace/name") an informer event concerns: everything is reconciled per Deployment. Pure.
import { deploymentSchema, matchesSelector, objectKey, type Deployment, type KubeObject } from '../kube/objects.ts';
import { GATEWAY_KIND, MANIFEST_LABEL, SERVICE_SUFFIX } from '../naming.ts';

export type WatchedKind = 'Deployment' | 'Pod' | 'ConfigMap' | 'WebSocketGateway' | 'Service' | 'NetworkPolicy';

/** Deployments as parsed from a cache listing; objects that do not parse are skipped. */
export function parseDeployments(objects: KubeObject[]): Deployment[] {
  const out: Deployment[] = [];
  for (const object of objects) {
    const parsed = deploymentSchema.safeParse(object);
    if (parsed.success) out.push(parsed.data);
  }
  return out;
}

/**
 * The keys to enqueue for an event on `object` (and its previous version, so a label change reaches both sides).
 * `deploymentsIn` lists the cached Deployments of a namespace.
 */
export function keysForEvent(kind: WatchedKind, objects: KubeObject[], deploymentsIn: (namespace: string) => Deployment[]): string[] {
  const keys = new Set<string>();
  for (const object of objects) {
    const namespace = object.metadata.namespace ?? '';
    switch (kind) {
      case 'Deployment':
      case 'WebSocketGateway':
        keys.add(objectKey(namespace, object.metadata.name));
        break;
      // Both are named <deployment>-ws and owned by the WebSocketGateway of that name.
      case 'Service':
      case 'NetworkPolicy': {
        const owner = object.metadata.ownerReferences?.find((reference) => reference.kind === GATEWAY_KIND && reference.controller === true);
        if (owner !== undefined) keys.add(objectKey(namespace, owner.name));
        else if (object.metadata.name.endsWith(SERVICE_SUFFIX)) keys.add(objectKey(namespace, object.metadata.name.slice(0, -SERVICE_SUFFIX.length)));
        break;
      }
      case 'Pod':
        for (const deployment of deploymentsIn(namespace)) {
          if (matchesSelector(deployment.spec.selector, object.metadata.labels)) keys.add(objectKey(namespace, deployment.metadata.name));
        }
        break;
      case 'ConfigMap':
        for (const deployment of deploymentsIn(namespace)) {
          if (deployment.spec.template.metadata?.labels?.[MANIFEST_LABEL] === object.metadata.name) {
            keys.add(objectKey(namespace, deployment.metadata.name));
          }
        }
        break;
    }
  }
  return [...keys];
}
