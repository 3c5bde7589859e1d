// One pod's /stats answer, validated with zod at the boundary, or the reason there is none. Pure.
import { z } from 'zod';

const count = z.number().int().min(0);

/** The fields of the gateway's GET /stats the operator uses (SPEC A5); other fields are ignored. */
const statsBodySchema = z.object({
  connections: count,
  users: count,
  configHash: z.string().max(128),
});

export type StatsSample =
  | { kind: 'stats'; connections: number; users: number; configHash: string }
  | { kind: 'error'; message: string };

export function parseStatsBody(body: unknown): StatsSample {
  const parsed = statsBodySchema.safeParse(body);
  if (parsed.success) return { kind: 'stats', ...parsed.data };
  const issue = parsed.error.issues[0]!;
  return { kind: 'error', message: `unexpected /stats answer: ${issue.path.map(String).join('.') || 'body'}: ${issue.message}` };
}
