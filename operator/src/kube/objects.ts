// The slices of Deployments, ConfigMaps, Services and WebSocketGateways the controller reads, as loose zod schemas,
// plus label-selector matching. Pure.
import * as z from 'zod';

const stringMap = z.record(z.string(), z.string());

export const objectMetaSchema = z.looseObject({
  name: z.string(),
  namespace: z.string().optional(),
  uid: z.string().optional(),
  resourceVersion: z.string().optional(),
  generation: z.number().optional(),
  labels: stringMap.optional(),
  annotations: stringMap.optional(),
  deletionTimestamp: z.string().optional(),
  ownerReferences: z.array(z.looseObject({
    apiVersion: z.string(), kind: z.string(), name: z.string(), uid: z.string(), controller: z.boolean().optional(),
  })).optional(),
});

/** Any object as the API sends it: metadata is all the cache needs. */
export const kubeObjectSchema = z.looseObject({ metadata: objectMetaSchema });
export type KubeObject = z.infer<typeof kubeObjectSchema>;

export const labelSelectorSchema = z.looseObject({
  matchLabels: stringMap.optional(),
  matchExpressions: z.array(z.object({
    key: z.string(),
    operator: z.enum(['In', 'NotIn', 'Exists', 'DoesNotExist']),
    values: z.array(z.string()).optional(),
  })).optional(),
});
export type LabelSelector = z.infer<typeof labelSelectorSchema>;

export const deploymentSchema = z.looseObject({
  metadata: objectMetaSchema,
  spec: z.looseObject({
    selector: labelSelectorSchema,
    template: z.looseObject({ metadata: z.looseObject({ labels: stringMap.optional(), annotations: stringMap.optional() }).optional() }),
  }),
});
export type Deployment = z.infer<typeof deploymentSchema>;

export const configMapSchema = z.looseObject({ metadata: objectMetaSchema, data: stringMap.optional() });
export type ConfigMap = z.infer<typeof configMapSchema>;

/** Whether the labels satisfy the selector; an empty selector matches everything (as the API does). */
export function matchesSelector(selector: LabelSelector, labels: Record<string, string> | undefined): boolean {
  const have = labels ?? {};
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) if (have[key] !== value) return false;
  for (const expression of selector.matchExpressions ?? []) {
    const value = have[expression.key];
    const values = expression.values ?? [];
    switch (expression.operator) {
      case 'In':
        if (value === undefined || !values.includes(value)) return false;
        break;
      case 'NotIn':
        if (value !== undefined && values.includes(value)) return false;
        break;
      case 'Exists':
        if (value === undefined) return false;
        break;
      case 'DoesNotExist':
        if (value !== undefined) return false;
        break;
    }
  }
  return true;
}

export function objectKey(namespace: string | undefined, name: string): string {
  return namespace === undefined || namespace === '' ? name : `${namespace}/${name}`;
}

export function splitKey(key: string): { namespace: string; name: string } {
  const slash = key.indexOf('/');
  return slash < 0 ? { namespace: '', name: key } : { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}
