// One pod's /stats answer, validated with zod at the boundary, or the reason there is none. Pure.
import * as z from 'zod';

const count = z.number().int().min(0);

/** The fields of the gateway's GET /stats the operator uses (SPEC A5); other fields are ignored. */
const statsBodySchema = z.object({
  connections: count,
  users: count,
  configHash: z.string().max(128),
  /** Present with WS_REDIS_URL: the union across replicas as this replica last saw it (SPEC A8). */
  backplane: z.looseObject({ connected: z.boolean(), users: count }).optional(),
});

export type StatsSample =
  | {
    kind: 'stats';
    connections: number;
    users: number;
    configHash: string;
    /** Distinct users across every replica sharing the Redis backplane; only while the backplane is connected. */
    sharedUsers?: number;
  }
  | { kind: 'error'; message: string };

export function parseStatsBody(body: unknown): StatsSample {
  const parsed = statsBodySchema.safeParse(body);
  if (parsed.success) {
    const { connections, users, configHash, backplane } = parsed.data;
    return { kind: 'stats', connections, users, configHash, ...(backplane?.connected === true ? { sharedUsers: backplane.users } : {}) };
  }
  const issue = parsed.error.issues[0]!;
  return { kind: 'error', message: `unexpected /stats answer: ${issue.path.map(String).join('.') || 'body'}: ${issue.message}` };
}
