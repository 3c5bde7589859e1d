// OlaresManifest.yaml text → the app's WebSocket options, "no gateway", or an error that names the field (SPEC B1). Pure.
import { loadAll, YAMLException } from 'js-yaml';
import { z } from 'zod';
import { GATEWAY_PORT, MANIFEST_KEY } from '../naming.ts';

export interface WebSocketOptions {
  url: string;
  port: number;
}

export type ManifestResult =
  | ({ kind: 'websocket' } & WebSocketOptions)
  | { kind: 'none' }
  | { kind: 'invalid'; field: string; message: string };

const EMPTY = 'the manifest is empty (with Helm, check the path given to .Files.Get)';
const PORT_RANGE = 'expected an integer from 1 to 65535';
const URL_RULE = 'expected a path that starts with "/" and has no spaces';

const portSchema = z.preprocess(
  // Helm templates often quote numbers: a string of digits is taken as the number it spells.
  (value) => (typeof value === 'string' && /^\s*\d{1,5}\s*$/.test(value) ? Number(value) : value),
  z.number({ error: PORT_RANGE }).int(PORT_RANGE).min(1, PORT_RANGE).max(65535, PORT_RANGE)
    .refine((port) => port !== GATEWAY_PORT, `${GATEWAY_PORT} is the gateway's own port; the app must listen on another one`),
);

const websocketSchema = z.object({
  url: z.string({ error: URL_RULE }).max(2048, 'expected at most 2048 characters').regex(/^\/\S*$/, URL_RULE),
  port: portSchema,
}, { error: 'expected a mapping with url and port' });

const manifestSchema = z.object({
  options: z.object({
    websocket: websocketSchema.nullish(),
  }, { error: 'expected a mapping' }).nullish(),
}, { error: 'expected a mapping' });

/** Reads the manifest; unknown sections are ignored, `options.websocket` absent or null means no gateway. */
export function parseManifest(text: string): ManifestResult {
  let documents: unknown[];
  try {
    documents = loadAll(text);
  } catch (error) {
    if (error instanceof YAMLException) return invalid(MANIFEST_KEY, describeYamlError(error));
    throw new Error('unexpected failure while reading the manifest', { cause: error });
  }
  if (documents.length === 0 || (documents.length === 1 && documents[0] === null)) return invalid(MANIFEST_KEY, EMPTY);
  if (documents.length > 1) return invalid(MANIFEST_KEY, `expected one YAML document, found ${documents.length}`);
  const parsed = manifestSchema.safeParse(documents[0], { reportInput: true });
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = issue.path.length === 0 ? MANIFEST_KEY : issue.path.map(String).join('.');
    return invalid(field, describeIssue(issue));
  }
  const websocket = parsed.data.options?.websocket;
  if (websocket === undefined || websocket === null) return { kind: 'none' };
  return { kind: 'websocket', url: websocket.url, port: websocket.port };
}

/** One line for Events, conditions and logs: `<field>: <what is wrong>`. */
export function describeManifestError(result: { field: string; message: string }): string {
  return `${result.field}: ${result.message}`;
}

function invalid(field: string, message: string): ManifestResult {
  return { kind: 'invalid', field, message };
}

function describeYamlError(error: YAMLException): string {
  const reason = error.reason === '' ? 'invalid YAML' : error.reason;
  if (error.mark === undefined) return `invalid YAML: ${reason}`;
  return `invalid YAML at line ${error.mark.line + 1}, column ${error.mark.column + 1}: ${reason}`;
}

function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_type' && issue.input === undefined) return 'required';
  if (issue.code === 'custom' || !('input' in issue)) return issue.message;
  return `${issue.message}, got ${describeValue(issue.input)}`;
}

function describeValue(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object' && value !== null) return 'a mapping';
  const shown = JSON.stringify(value) ?? String(value);
  return shown.length > 60 ? `${shown.slice(0, 57)}...` : shown;
}
