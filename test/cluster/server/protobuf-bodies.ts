// Pure: just enough of the Kubernetes protobuf encoding to read the request bodies kubectl sends as protobuf for
// `kubectl auth can-i` (SelfSubjectAccessReview, SelfSubjectRulesReview) and `kubectl create token` (TokenRequest).
// Everything else sent as protobuf is still answered 415.
import type { JsonObject } from '../patch/json-value.ts';

const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]); // "k8s\0"

type Fields = Map<number, (Buffer | bigint)[]>;

export class ProtobufError extends Error {}

function readVarint(buf: Buffer, pos: number): [bigint, number] {
  let result = 0n;
  let shift = 0n;
  for (;;) {
    if (pos >= buf.length) throw new ProtobufError('truncated varint');
    const b = buf[pos++]!;
    result |= BigInt(b & 0x7f) << shift;
    if ((b & 0x80) === 0) return [result, pos];
    shift += 7n;
    if (shift > 63n) throw new ProtobufError('varint too long');
  }
}

/** Splits one message into its fields (varints as bigint, length-delimited as bytes; fixed widths are skipped). */
export function decodeFields(buf: Buffer): Fields {
  const out: Fields = new Map();
  let pos = 0;
  while (pos < buf.length) {
    const [key, next] = readVarint(buf, pos);
    pos = next;
    const field = Number(key >> 3n);
    const wire = Number(key & 7n);
    let value: Buffer | bigint | undefined;
    if (wire === 0) {
      [value, pos] = readVarint(buf, pos);
    } else if (wire === 2) {
      const [len, start] = readVarint(buf, pos);
      const end = start + Number(len);
      if (end > buf.length) throw new ProtobufError('truncated field');
      value = buf.subarray(start, end);
      pos = end;
    } else if (wire === 1) {
      pos += 8;
    } else if (wire === 5) {
      pos += 4;
    } else {
      throw new ProtobufError(`unsupported wire type ${wire}`);
    }
    if (value !== undefined) out.set(field, [...(out.get(field) ?? []), value]);
  }
  return out;
}

function str(f: Fields, n: number): string | undefined {
  const v = f.get(n)?.[0];
  return Buffer.isBuffer(v) ? v.toString('utf8') : undefined;
}

function strs(f: Fields, n: number): string[] {
  return (f.get(n) ?? []).filter((v): v is Buffer => Buffer.isBuffer(v)).map((v) => v.toString('utf8'));
}

function msg(f: Fields, n: number): Fields | undefined {
  const v = f.get(n)?.[0];
  return Buffer.isBuffer(v) ? decodeFields(v) : undefined;
}

function int(f: Fields, n: number): number | undefined {
  const v = f.get(n)?.[0];
  return typeof v === 'bigint' ? Number(v) : undefined;
}

function compact(o: Record<string, string | number | string[] | JsonObject | undefined>): JsonObject {
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined && v !== '') out[k] = v;
  return out;
}

/** The envelope: magic, then runtime.Unknown{typeMeta{apiVersion, kind}, raw}. */
export function decodeEnvelope(body: Buffer): { apiVersion: string; kind: string; raw: Buffer } {
  if (body.length < 4 || !body.subarray(0, 4).equals(MAGIC)) throw new ProtobufError('missing the k8s protobuf prefix');
  const unknown = decodeFields(body.subarray(4));
  const typeMeta = msg(unknown, 1);
  const raw = unknown.get(2)?.[0];
  return { apiVersion: typeMeta === undefined ? '' : str(typeMeta, 1) ?? '', kind: typeMeta === undefined ? '' : str(typeMeta, 2) ?? '', raw: Buffer.isBuffer(raw) ? raw : Buffer.alloc(0) };
}

/** SelfSubjectAccessReview / SelfSubjectRulesReview / TokenRequest as the JSON the API would have received. */
export function decodeProtobufBody(body: Buffer): JsonObject {
  const { apiVersion, kind, raw } = decodeEnvelope(body);
  const top = decodeFields(raw);
  const spec = msg(top, 2);
  const out: JsonObject = { apiVersion, kind, metadata: {} };
  if (spec === undefined) return { ...out, spec: {} };
  if (kind === 'SelfSubjectAccessReview') {
    const ra = msg(spec, 1);
    const nra = msg(spec, 2);
    const s: JsonObject = {};
    if (ra !== undefined) {
      s.resourceAttributes = compact({
        namespace: str(ra, 1), verb: str(ra, 2), group: str(ra, 3), version: str(ra, 4), resource: str(ra, 5), subresource: str(ra, 6), name: str(ra, 7),
      });
    }
    if (nra !== undefined) s.nonResourceAttributes = compact({ path: str(nra, 1), verb: str(nra, 2) });
    return { ...out, spec: s };
  }
  if (kind === 'SelfSubjectRulesReview') return { ...out, spec: compact({ namespace: str(spec, 1) }) };
  if (kind === 'TokenRequest') return { ...out, spec: compact({ audiences: strs(spec, 1), expirationSeconds: int(spec, 4) }) };
  throw new ProtobufError(`protobuf bodies of kind ${kind} are not supported`);
}
