// OlaresManifest.yaml text → the app's WebSocket options, "no gateway", or an error that names the field (SPEC B1). Pure.
import { loadAll, YAMLException } from 'js-yaml';
import * as z from 'zod';
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
/** An HTTP path: no spaces, controls or non-ASCII (undici refuses them); percent-encode those as %XX. */
const URL_RULE = 'expected "/" then printable ASCII (0x21-0x7E) or %XX escapes';
/**
 * What every HTTP client (undici included) accepts in a request path. Kept in step with the CRD's pattern for
 * spec.websocket.url (crds/websocketgateways.tapr.io.yaml).
 */
export const CALLBACK_PATH_PATTERN = /^\/(?:[!-$&-~]|%[0-9A-Fa-f]{2})*$/;

const portSchema = z.preprocess(
  // Helm templates often quote numbers: a string of digits is taken as the number it spells.
  (value) => (typeof value === 'string' && /^\s*\d{1,5}\s*$/.test(value) ? Number(value) : value),
  z.number({ error: PORT_RANGE }).int(PORT_RANGE).min(1, PORT_RANGE).max(65535, PORT_RANGE)
    .refine((port) => port !== GATEWAY_PORT, `${GATEWAY_PORT} is the gateway's own port; the app must listen on another one`),
);

const urlSchema = z.string({ error: URL_RULE }).max(2048, 'expected at most 2048 characters').superRefine((url, context) => {
  if (CALLBACK_PATH_PATTERN.test(url)) return;
  context.addIssue({ code: 'custom', message: `${URL_RULE}${describeFirstBadCharacter(url)}, got ${showPath(url)}` });
});

const websocketSchema = z.object({
  url: urlSchema,
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

/** The path quoted, with every character outside printable ASCII shown as \\uXXXX (a zero-width space is invisible). */
function showPath(url: string): string {
  const escaped = [...url].map((char) => {
    const code = char.codePointAt(0)!;
    if (code >= 0x20 && code <= 0x7e) return char === '"' || char === '\\' ? `\\${char}` : char;
    return code > 0xffff ? `\\u{${code.toString(16).toUpperCase()}}` : `\\u${code.toString(16).toUpperCase().padStart(4, '0')}`;
  }).join('');
  const shown = `"${escaped}"`;
  return shown.length > 60 ? `${shown.slice(0, 57)}...` : shown;
}

function describeFirstBadCharacter(url: string): string {
  if (!url.startsWith('/')) return '';
  const chars = [...url];
  for (const [index, char] of chars.entries()) {
    const code = char.codePointAt(0)!;
    const position = `at position ${index + 1}`;
    if (code === 0x25) {
      if (/^%[0-9A-Fa-f]{2}/.test(chars.slice(index, index + 3).join(''))) continue;
      return `; "%" ${position} is not followed by two hex digits`;
    }
    if (code >= 0x21 && code <= 0x7e) continue;
    const name = code === 0x20 ? 'a space' : code < 0x20 || code === 0x7f ? 'a control character' : 'a non-ASCII character';
    return `; ${name} U+${code.toString(16).toUpperCase().padStart(4, '0')} ${position}`;
  }
  return '';
}

function describeValue(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object' && value !== null) return 'a mapping';
  const shown = JSON.stringify(value) ?? String(value);
  return shown.length > 60 ? `${shown.slice(0, 57)}...` : shown;
}
