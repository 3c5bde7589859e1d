// The gateway's configuration: one zod schema whose defaults document every WS_* variable (SPEC A1). Pure.
import { createHash } from 'node:crypto';
import { compareCodeUnits } from './compare-code-units.ts';
import * as z from './zod-mini.ts';
import { isCidr } from './upgrade/trusted-proxies.ts';

const integer = (min: number, max: number) => {
  const allowed = `expected an integer from ${min} to ${max}`;
  return z.pipe(
    z.pipe(z.string().check(z.trim(), z.regex(/^-?\d+$/, allowed)), z.transform(Number)),
    z.int().check(z.minimum(min, allowed), z.maximum(max, allowed)));
};

const milliseconds = (min = 0) => integer(min, 2_147_483_647);

const boolean = z.pipe(z.enum(['true', 'false'], { error: 'expected true or false' }), z.transform((v) => v === 'true'));

// What an HTTP client (and RFC 3986) accepts in a request path: printable ASCII, "%" only as %XX (F6).
const httpPath = /^(?:[\x21-\x24\x26-\x7e]|%[0-9A-Fa-f]{2})*$/;

const commaList = z.pipe(z.string(), z.transform((v) => v.split(',').map((s) => s.trim()).filter((s) => s !== '')));

const cidrList = z.pipe(commaList, z.array(z.string().check(z.refine(isCidr, 'expected a comma list of IPv4/IPv6 addresses or CIDR ranges (e.g. 10.0.0.0/8,fd00::/8)'))));

/** A required variable and its one-line meaning (--help). */
const required = <T extends z.ZodMiniType>(schema: T, description: string): T => schema.check(z.describe(description));

/** An optional variable: its default (as parsed) and its one-line meaning (--help). */
const optional = <T extends z.ZodMiniType>(schema: T, defaultValue: z.util.NoUndefined<z.output<T>>, description: string) =>
  z._default(schema, defaultValue).check(z.describe(description));

/** Env variable name → parser (with its default). Order is the order of the README table. */
const envSchema = z.object({
  WS_PORT: required(integer(1, 65535), "the app's callback port, 1-65535"),
  WS_URL: required(z.string().check(z.regex(/^\//, 'expected a path that starts with "/"'),
    z.regex(httpPath, 'expected a path of printable ASCII (0x21-0x7E: no spaces, control or non-ASCII characters), "%" only as %XX with hex digits')), "the app's callback path: starts with /, printable ASCII, % only as %XX"),
  WS_APP_HOST: optional(z.string().check(z.regex(/^[A-Za-z0-9._:-]+$/, 'expected a host name or an IPv4/IPv6 address (letters, digits, ".", "-", "_", ":")')), '127.0.0.1', "host of the app's callback: a name or an IPv4/IPv6 address"),
  WS_GATEWAY_HOST: optional(z.string().check(z.minLength(1, 'expected an address to listen on')), '0.0.0.0', 'address the gateway listens on'),
  // 0 picks a free port (tests); the operator always injects the default.
  WS_GATEWAY_PORT: optional(integer(0, 65535), 40010, 'port for clients, control API, health and metrics (0: a free port)'),
  WS_USER_HEADER: optional(z.string().check(z.regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/, 'expected an HTTP header name')), 'X-Bfl-User', 'request header with the authenticated user name (set by the auth proxy)'),
  WS_REQUIRE_USER: optional(boolean, false, 'true: an upgrade without the user header gets HTTP 401'),
  WS_OPEN_MODE: optional(z.enum(['notify', 'authorize'], { error: 'expected notify or authorize' }), 'notify', 'notify: open callback after the upgrade; authorize: the open callback accepts or refuses the upgrade'),
  WS_PING_TIMEOUT_MS: optional(milliseconds(), 60000, 'close (4408) a connection that sent no frame for this long; 0 = never'),
  WS_SERVER_PING_MS: optional(milliseconds(), 25000, 'interval of protocol pings the gateway sends; 0 = off'),
  WS_MAX_PAYLOAD_BYTES: optional(integer(1, 1_073_741_824), 1048576, 'largest inbound message; larger closes with 1009'),
  WS_MAX_BUFFERED_BYTES: optional(integer(1, 1_073_741_824), 4194304, 'outbound bytes queued for one client; beyond it the client is closed with 1013'),
  WS_MAX_CONNECTIONS: optional(integer(0, 10_000_000), 0, 'connections per process (0 = no limit); past it upgrades get 503'),
  WS_MAX_CONNECTIONS_PER_USER: optional(integer(0, 10_000_000), 0, 'connections per user (0 = no limit); past it upgrades get 429'),
  WS_ALLOWED_ORIGINS: optional(commaList, [], 'comma list of allowed Origin values (empty = any); others get 403'),
  WS_CALLBACK_TIMEOUT_MS: optional(milliseconds(1), 5000, 'time for one callback attempt'),
  WS_CALLBACK_RETRY_MS: optional(milliseconds(), 10000, 'total time to retry a callback that could not be delivered'),
  WS_CALLBACK_CONCURRENCY: optional(integer(1, 100_000), 64, 'callbacks in flight across all connections (also the keep-alive pool size)'),
  WS_CALLBACK_QUEUE: optional(integer(1, 1_000_000), 256, 'callbacks waiting per connection; when full the gateway stops reading that socket'),
  // Bytes of callbacks waiting per connection; at this many the socket is not read (README: Reliability limits).
  WS_CALLBACK_QUEUE_BYTES: optional(integer(1024, 1_073_741_824), 4096, 'bytes of callbacks waiting per connection; at this many the socket is not read'),
  // Inbound messages and pings per second per connection (token bucket); above it: close 1008. 0 = no limit.
  WS_MAX_INBOUND_FRAMES_PER_SEC: optional(integer(0, 1_000_000), 100, 'inbound messages and pings per second per connection; above it: close 1008 (0 = no limit)'),
  // Size of that token bucket: how many frames a connection may send at once.
  WS_INBOUND_FRAMES_BURST: optional(integer(1, 1_000_000), 200, 'how many frames a connection may send at once (the burst of that rate limit)'),
  // Peers allowed to set WS_USER_HEADER (comma list of CIDRs); empty = any peer (Olares behaviour).
  WS_TRUSTED_PROXIES: optional(cidrList, [], 'comma list of addresses or CIDR ranges allowed to set the user header (empty = any peer)'),
  // Time a client has to send the request headers (slowloris); 0 = no limit.
  WS_HEADERS_TIMEOUT_MS: optional(milliseconds(), 10000, 'time a client has to send the request headers; 0 = no limit'),
  // Time a client has to send a whole HTTP request; 0 = no limit.
  WS_REQUEST_TIMEOUT_MS: optional(milliseconds(), 30000, 'time a client has to send a whole HTTP request; 0 = no limit'),
  // TCP connections that have not completed a WebSocket upgrade (plain HTTP included); extra ones get 503.
  WS_MAX_PENDING_UPGRADES: optional(integer(1, 1_000_000), 1024, 'TCP connections that have not completed a WebSocket upgrade; extra ones get 503'),
  WS_MAX_CHANNELS_PER_CONNECTION: optional(integer(1, 100_000), 128, 'channels one connection can be in (SPEC A10); subscriptions past it are refused'),
  WS_CONTROL_TOKEN: optional(z.string(), '', 'when set, non-loopback callers with this bearer token may use the control API'),
  WS_REDIS_URL: optional(z.string().check(z.refine((v) => v === '' || /^rediss?:\/\//.test(v), 'expected a redis:// or rediss:// URL')), '', 'redis:// or rediss:// URL: enables the Redis backplane (several replicas)'),
  WS_REDIS_PREFIX: optional(z.string().check(z.minLength(1, 'expected a non-empty prefix')), 'tapr:ws', 'key and channel prefix for the backplane'),
  // Backplane presence: every replica refreshes its entry this often; an entry lives 3 heartbeats (sidecar/BACKPLANE.md).
  WS_BACKPLANE_HEARTBEAT_MS: optional(milliseconds(100), 5000, "backplane heartbeat; a replica's presence lives 3 heartbeats"),
  // How long a send/close waits for the other replicas' answers before reporting them missing.
  WS_BACKPLANE_REPLY_TIMEOUT_MS: optional(milliseconds(1), 500, "how long a send/close waits for the other replicas' replies"),
  // Bound of every Redis round trip; a heartbeat PING not answered within it counts as disconnected (F4).
  WS_BACKPLANE_TIMEOUT_MS: optional(milliseconds(1), 1000, 'bound of every Redis round trip'),
  WS_SHUTDOWN_TIMEOUT_MS: optional(milliseconds(1), 10000, 'drain budget on SIGTERM'),
  WS_LOG_LEVEL: optional(z.enum(['debug', 'info', 'warn', 'error'], { error: 'expected debug, info, warn or error' }), 'info', 'debug, info, warn or error'),
  POD_NAME: optional(z.string(), '', 'reported in /stats and logs (the operator sets it)'),
  POD_NAMESPACE: optional(z.string(), '', 'reported in /stats and logs (the operator sets it)'),
});

type Env = z.output<typeof envSchema>;

export interface GatewayConfig {
  appPort: number;
  appPath: string;
  appHost: string;
  host: string;
  port: number;
  userHeader: string;
  requireUser: boolean;
  openMode: 'notify' | 'authorize';
  pingTimeoutMs: number;
  serverPingMs: number;
  maxPayloadBytes: number;
  maxBufferedBytes: number;
  maxConnections: number;
  maxConnectionsPerUser: number;
  allowedOrigins: string[];
  callbackTimeoutMs: number;
  callbackRetryMs: number;
  callbackConcurrency: number;
  callbackQueue: number;
  callbackQueueBytes: number;
  maxInboundFramesPerSec: number;
  inboundFramesBurst: number;
  trustedProxies: string[];
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  maxPendingUpgrades: number;
  maxChannelsPerConnection: number;
  controlToken: string;
  redisUrl: string;
  redisPrefix: string;
  backplaneHeartbeatMs: number;
  backplaneReplyTimeoutMs: number;
  backplaneTimeoutMs: number;
  shutdownTimeoutMs: number;
  logLevel: 'debug' | 'info' | 'warn' | 'error';
  podName: string;
  podNamespace: string;
}

export type ConfigResult =
  | { ok: true; config: GatewayConfig; warnings: string[] }
  /** `errors`: one line per bad variable, in schema order; `error` is the first of them. */
  | { ok: false; error: string; errors: string[] };

const knownNames = new Set(Object.keys(envSchema.shape));
// Their values never appear in an error message.
const secretVariables = new Set(['WS_CONTROL_TOKEN', 'WS_REDIS_URL']);

/** Reads the configuration from an env map; the error names the variable, the value and what is allowed. */
export function parseConfig(env: Record<string, string | undefined>): ConfigResult {
  const input: Record<string, string> = {};
  for (const name of knownNames) {
    const value = env[name];
    if (value !== undefined && !(value === '' && name !== 'WS_URL' && name !== 'WS_PORT')) input[name] = value;
  }
  const parsed = envSchema.safeParse(input);
  if (!parsed.success) {
    // Every bad variable at once (first issue of each), so one start-up shows everything to fix.
    const byName = new Map<string, string>();
    for (const issue of parsed.error.issues) {
      const name = String(issue.path[0] ?? 'environment');
      if (byName.has(name)) continue;
      const value = input[name];
      const shown = value === undefined ? ' is missing' : `=${escapeValue(secretVariables.has(name) ? '<redacted>' : value)} is invalid`;
      const allowed = issue.code === 'invalid_type' && value === undefined ? 'required' : issue.message;
      byName.set(name, `${name}${shown}: ${allowed}`);
    }
    const order = [...knownNames];
    const errors = [...byName.entries()].sort(([a], [b]) => order.indexOf(a) - order.indexOf(b)).map(([, line]) => line);
    return { ok: false, error: errors[0]!, errors };
  }
  const { WS_HEADERS_TIMEOUT_MS: headersMs, WS_REQUEST_TIMEOUT_MS: requestMs } = parsed.data;
  // Node refuses a headers timeout longer than the request timeout; blame the variable that was set.
  if (requestMs > 0 && headersMs > requestMs) {
    const error = input.WS_HEADERS_TIMEOUT_MS === undefined
      ? `WS_REQUEST_TIMEOUT_MS="${input.WS_REQUEST_TIMEOUT_MS}" is invalid: expected 0 or at least WS_HEADERS_TIMEOUT_MS (${headersMs})`
      : `WS_HEADERS_TIMEOUT_MS="${input.WS_HEADERS_TIMEOUT_MS}" is invalid: expected at most WS_REQUEST_TIMEOUT_MS (${requestMs})`;
    return { ok: false, error, errors: [error] };
  }
  const warnings = Object.keys(env)
    .filter((name) => name.startsWith('WS_') && !knownNames.has(name))
    .map((name) => `unknown variable ${name} is ignored`);
  return { ok: true, config: toConfig(parsed.data), warnings };
}

export interface SettingDoc {
  name: string;
  /** The default as it would be written in the environment; undefined for a required variable. */
  defaultText: string | undefined;
  description: string;
}

/** Every variable with its default and one-line meaning, in schema order, from the schema itself (for --help). */
export function listSettings(): SettingDoc[] {
  return Object.entries(envSchema.shape).map(([name, schema]) => {
    const def = schema.def as { type: string; defaultValue?: unknown };
    return { name, defaultText: def.type === 'default' ? envText(def.defaultValue) : undefined, description: z.globalRegistry.get(schema)?.description ?? '' };
  });
}

/** A parsed default back in env syntax: lists comma-joined, everything else as text. */
function envText(value: unknown): string {
  if (Array.isArray(value)) return value.join(',');
  return String(value);
}

/** The value as a one-line JSON string with every non-ASCII character escaped, so invisible ones show. */
function escapeValue(value: string): string {
  return JSON.stringify(value).replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function toConfig(env: Env): GatewayConfig {
  return {
    appPort: env.WS_PORT,
    appPath: env.WS_URL,
    appHost: env.WS_APP_HOST,
    host: env.WS_GATEWAY_HOST,
    port: env.WS_GATEWAY_PORT,
    userHeader: env.WS_USER_HEADER.toLowerCase(),
    requireUser: env.WS_REQUIRE_USER,
    openMode: env.WS_OPEN_MODE,
    pingTimeoutMs: env.WS_PING_TIMEOUT_MS,
    serverPingMs: env.WS_SERVER_PING_MS,
    maxPayloadBytes: env.WS_MAX_PAYLOAD_BYTES,
    maxBufferedBytes: env.WS_MAX_BUFFERED_BYTES,
    maxConnections: env.WS_MAX_CONNECTIONS,
    maxConnectionsPerUser: env.WS_MAX_CONNECTIONS_PER_USER,
    allowedOrigins: env.WS_ALLOWED_ORIGINS,
    callbackTimeoutMs: env.WS_CALLBACK_TIMEOUT_MS,
    callbackRetryMs: env.WS_CALLBACK_RETRY_MS,
    callbackConcurrency: env.WS_CALLBACK_CONCURRENCY,
    callbackQueue: env.WS_CALLBACK_QUEUE,
    callbackQueueBytes: env.WS_CALLBACK_QUEUE_BYTES,
    maxInboundFramesPerSec: env.WS_MAX_INBOUND_FRAMES_PER_SEC,
    inboundFramesBurst: env.WS_INBOUND_FRAMES_BURST,
    trustedProxies: env.WS_TRUSTED_PROXIES,
    headersTimeoutMs: env.WS_HEADERS_TIMEOUT_MS,
    requestTimeoutMs: env.WS_REQUEST_TIMEOUT_MS,
    maxPendingUpgrades: env.WS_MAX_PENDING_UPGRADES,
    maxChannelsPerConnection: env.WS_MAX_CHANNELS_PER_CONNECTION,
    controlToken: env.WS_CONTROL_TOKEN,
    redisUrl: env.WS_REDIS_URL,
    redisPrefix: env.WS_REDIS_PREFIX,
    backplaneHeartbeatMs: env.WS_BACKPLANE_HEARTBEAT_MS,
    backplaneReplyTimeoutMs: env.WS_BACKPLANE_REPLY_TIMEOUT_MS,
    backplaneTimeoutMs: env.WS_BACKPLANE_TIMEOUT_MS,
    shutdownTimeoutMs: env.WS_SHUTDOWN_TIMEOUT_MS,
    logLevel: env.WS_LOG_LEVEL,
    podName: env.POD_NAME,
    podNamespace: env.POD_NAMESPACE,
  };
}

/** Settings that differ from pod to pod by design (identity, listen address), never a sign of an old configuration. */
const podSpecific = new Set<string>(['podName', 'podNamespace', 'host']);

/** The configuration with every optional setting at its default (the required ones are placeholders). */
const defaultConfig = toConfig(envSchema.parse({ WS_PORT: '1', WS_URL: '/' }));

/**
 * A short hash of the effective configuration, so the operator can spot pods running an old one. It covers
 * the required settings and every setting that differs from its default, and never the pod's identity or listen
 * address (a pod may listen on its own IP): pods
 * started with the same settings report the same hash, and a newer gateway that adds a setting (with a
 * default) keeps the hash its pods already had.
 */
export function computeConfigHash(config: GatewayConfig): string {
  const significant = Object.entries(config).filter(([name, value]) =>
    name === 'appPort' || name === 'appPath' ||
    (!podSpecific.has(name) && JSON.stringify(value) !== JSON.stringify(defaultConfig[name as keyof GatewayConfig])));
  const canonical = JSON.stringify(significant.sort(([a], [b]) => compareCodeUnits(a, b)));
  return createHash('sha256').update(canonical).digest('hex').slice(0, 16);
}
