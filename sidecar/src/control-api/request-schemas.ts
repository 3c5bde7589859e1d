// Validates control API bodies (SPEC A4): one zod schema per command, errors that name the field. Pure.
import { z } from 'zod';
import { hasTarget, type Targets } from '../hub/targets.ts';
import { isNestedDeeperThan, maxPayloadDepth } from './json-depth.ts';

const stringList = z.array(z.string({ error: 'expected a string' }), { error: 'expected an array of strings' });
const accessType = z.union([z.literal(0), z.literal(1), z.literal(2)], { error: 'expected 0 (all), 1 (with auth_token cookie) or 2 (public)' });
const base64 = z.string({ error: 'expected a base64 string' }).regex(/^[A-Za-z0-9+/]*={0,2}$/, 'expected a base64 string').refine((s) => s.length % 4 === 0, 'expected a base64 string (length a multiple of 4)');

const sendSchema = z.object({
  payload: z.unknown().optional(),
  payload_base64: base64.optional(),
  conn_id: z.string({ error: 'expected a string' }).optional(),
  users: stringList.optional(),
  tokens: stringList.optional(),
  users_access_type: accessType.optional(),
});

const closeSchema = z.object({
  conns: stringList.optional(),
  users: stringList.optional(),
  tokens: stringList.optional(),
  users_access_type: accessType.optional(),
});

export type SendCommand = { targets: Targets } & ({ payload: unknown } | { payloadBase64: string });
export type CloseCommand = { targets: Targets };
export type Validated<T> = { ok: true; value: T } | { ok: false; message: string };

export function parseSendCommand(body: unknown): Validated<SendCommand> {
  const shape = requireObject(body);
  if (!shape.ok) return shape;
  const parsed = sendSchema.safeParse(shape.value);
  if (!parsed.success) return invalid(parsed.error);
  const { payload_base64, conn_id, users, tokens, users_access_type } = parsed.data;
  const hasPayload = Object.hasOwn(shape.value, 'payload');
  if (hasPayload && payload_base64 !== undefined) return { ok: false, message: 'payload, payload_base64: give one of them, not both' };
  if (!hasPayload && payload_base64 === undefined) return { ok: false, message: 'payload: required (any JSON value, or payload_base64 for a binary frame)' };
  if (hasPayload && isNestedDeeperThan(parsed.data.payload, maxPayloadDepth)) return { ok: false, message: `payload: nested too deeply (max ${maxPayloadDepth} levels)` };
  const targets: Targets = { connIds: conn_id ? [conn_id] : undefined, users, tokens, accessType: users_access_type ?? 0 };
  if (!hasTarget(targets)) return { ok: false, message: 'conn_id, users, tokens: at least one target is required' };
  return { ok: true, value: payload_base64 !== undefined ? { targets, payloadBase64: payload_base64 } : { targets, payload: parsed.data.payload } };
}

export function parseCloseCommand(body: unknown): Validated<CloseCommand> {
  const shape = requireObject(body);
  if (!shape.ok) return shape;
  const parsed = closeSchema.safeParse(shape.value);
  if (!parsed.success) return invalid(parsed.error);
  const { conns, users, tokens, users_access_type } = parsed.data;
  const targets: Targets = { connIds: conns, users, tokens, accessType: users_access_type ?? 0 };
  // Olares closes every connection on {}; an empty target is almost always a bug in the caller.
  if (!hasTarget(targets)) return { ok: false, message: 'conns, users, tokens: at least one target is required' };
  return { ok: true, value: { targets } };
}

function requireObject(body: unknown): Validated<Record<string, unknown>> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return { ok: false, message: 'body: expected a JSON object' };
  return { ok: true, value: body as Record<string, unknown> };
}

function invalid(error: z.ZodError): { ok: false; message: string } {
  const issue = error.issues[0]!;
  const field = issue.path.length > 0 ? issue.path.map(String).join('.') : 'body';
  return { ok: false, message: `${field}: ${issue.message}` };
}
