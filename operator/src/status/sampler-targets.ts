// Which pods the status sampler asks for /stats: injected pods with an IP whose ws-gateway container runs. Pure.
import * as z from 'zod';
import type { KubeObject } from '../kube/objects.ts';
import { GATEWAY_CONTAINER, GATEWAY_PORT, GATEWAY_STATS_PATH } from '../naming.ts';

export interface SampleTarget {
  namespace: string;
  name: string;
  /** http://<podIP>:40010/stats */
  url: string;
}

const containerStatusSchema = z.looseObject({ name: z.string(), state: z.looseObject({ running: z.unknown().optional() }).optional() });
const samplePodSchema = z.looseObject({
  status: z.looseObject({
    podIP: z.string().optional(),
    initContainerStatuses: z.array(containerStatusSchema).optional(),
    containerStatuses: z.array(containerStatusSchema).optional(),
  }).optional(),
});

/**
 * Pods being deleted, without an IP, or whose gateway is not running (not started, crashed, image missing) are left
 * out: they stay "not sampled yet" until their gateway runs, and a sample they had is dropped.
 */
export function selectSampleTargets(pods: KubeObject[]): SampleTarget[] {
  const targets: SampleTarget[] = [];
  for (const pod of pods) {
    if (pod.metadata.deletionTimestamp !== undefined) continue;
    const parsed = samplePodSchema.safeParse(pod);
    const status = parsed.success ? parsed.data.status : undefined;
    const ip = status?.podIP;
    if (ip === undefined || ip === '') continue;
    const statuses = [...(status?.initContainerStatuses ?? []), ...(status?.containerStatuses ?? [])];
    const gateway = statuses.find((candidate) => candidate.name === GATEWAY_CONTAINER);
    if (gateway?.state?.running === undefined) continue;
    const host = ip.includes(':') ? `[${ip}]` : ip;
    targets.push({ namespace: pod.metadata.namespace ?? '', name: pod.metadata.name, url: `http://${host}:${GATEWAY_PORT}${GATEWAY_STATS_PATH}` });
  }
  return targets;
}
