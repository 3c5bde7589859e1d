// The slice of the core/v1 Pod the operator reads, as loose zod schemas (unknown fields are kept). Pure.
import * as z from 'zod';

const stringMap = z.record(z.string(), z.string());

export const ownerReferenceSchema = z.looseObject({
  apiVersion: z.string().optional(),
  kind: z.string(),
  name: z.string(),
  uid: z.string().optional(),
  controller: z.boolean().optional(),
});

export const containerPortSchema = z.looseObject({
  containerPort: z.number().int(),
  name: z.string().optional(),
  protocol: z.string().optional(),
});

export const containerSchema = z.looseObject({
  name: z.string(),
  ports: z.array(containerPortSchema).optional(),
});

export const podSchema = z.looseObject({
  apiVersion: z.string().optional(),
  kind: z.string().optional(),
  metadata: z.looseObject({
    name: z.string().optional(),
    generateName: z.string().optional(),
    namespace: z.string().optional(),
    labels: stringMap.optional(),
    annotations: stringMap.optional(),
    ownerReferences: z.array(ownerReferenceSchema).optional(),
  }).optional(),
  spec: z.looseObject({
    containers: z.array(containerSchema),
    initContainers: z.array(containerSchema).optional(),
  }),
});

export type Pod = z.infer<typeof podSchema>;
export type Container = z.infer<typeof containerSchema>;
export type OwnerReference = z.infer<typeof ownerReferenceSchema>;

/** All containers of a pod: init containers (including native sidecars) and regular ones. */
export function allContainers(pod: Pod): Container[] {
  return [...(pod.spec.initContainers ?? []), ...pod.spec.containers];
}
