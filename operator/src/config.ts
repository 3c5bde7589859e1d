// The operator's configuration from flags and env (flags win), one zod schema per option whose defaults document it;
// errors name the flag or variable and what is allowed. Pure: reads only the argv and env maps it is given.
import { parseArgs } from 'node:util';
import * as z from 'zod';
import { networkPolicyPeersSchema, type NetworkPolicyPeer } from './controller/network-policy.ts';
import { parseGatewaySettings, type GatewaySettings } from './injection/gateway-settings.ts';
import { DEFAULT_REDIS_PREFIX } from './naming.ts';

export const DEFAULT_GATEWAY_IMAGE = 'ghcr.io/tapr-ws/ws-gateway:0.1.0';
/** Where the chart mounts cert-manager's Secret (tls.crt, tls.key) in cert-manager webhook mode. */
export const DEFAULT_WEBHOOK_CERT_DIR = '/etc/tapr-ws/webhook-tls';

const integer = (min: number, max: number) =>
  z.string().trim().regex(/^\d+$/, `expected an integer from ${min} to ${max}`).transform(Number)
    .pipe(z.number().int().min(min, `expected an integer from ${min} to ${max}`).max(max, `expected an integer from ${min} to ${max}`));

const onOff = z.enum(['on', 'off'], { error: 'expected on or off' }).transform((value) => value === 'on');

/** `500ms`, `10s`, `2m` (or a bare number of seconds) → milliseconds, at least 100 ms. */
const duration = z.string().trim().regex(/^\d+(\.\d+)?(ms|s|m)?$/, 'expected a duration such as 500ms, 10s or 1m')
  .transform((text) => {
    const [, amount, unit] = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(text)!;
    const factor = unit === 'ms' ? 1 : unit === 'm' ? 60_000 : 1000;
    return Math.round(Number(amount) * factor);
  })
  .pipe(z.number().min(100, 'expected at least 100ms').max(86_400_000, 'expected at most 24h'));

/** A resource quantity, or `none` for "not set" (null: zod's default would replace an undefined output). */
const quantityOrNone = z.string().trim().min(1, 'expected a quantity such as 100m or 64Mi, or none')
  .transform((text) => (text === 'none' ? null : text));

/** A JSON list of NetworkPolicy peers; the error names the entry and field. */
const jsonPeers = z.string().transform((text, context) => {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    context.addIssue({ code: 'custom', message: 'expected a JSON list of NetworkPolicy peers such as [{"namespaceSelector":{"matchLabels":{"kubernetes.io/metadata.name":"ingress"}}}]' });
    return z.NEVER;
  }
  const parsed = networkPolicyPeersSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    context.addIssue({ code: 'custom', message: issue.path.length === 0 ? issue.message : `entry ${issue.path.map(String).join('.')}: ${issue.message}` });
    return z.NEVER;
  }
  return parsed.data;
});

const kubeName = z.string().regex(/^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/, 'expected a lowercase DNS name');

/** One entry per option: its flag, its one-line meaning (--help), its env names (first wins), and its schema with the default. Order = README table. */
const OPTIONS = {
  kubeconfig: { flag: 'kubeconfig', help: 'kubeconfig file; without one, inside a pod the service account is used (required outside a cluster)', env: ['KUBECONFIG'], schema: z.string().min(1).optional() },
  namespace: { flag: 'namespace', help: "the operator's namespace: its Lease and Secrets live here, no pod here is injected", env: ['OPERATOR_NAMESPACE', 'POD_NAMESPACE'], schema: kubeName.default('tapr-system') },
  gatewayImage: { flag: 'gateway-image', help: 'image of the injected ws-gateway container', env: ['OPERATOR_GATEWAY_IMAGE'], schema: z.string().trim().min(1, 'expected an image reference').default(DEFAULT_GATEWAY_IMAGE) },
  gatewayImagePullPolicy: {
    flag: 'gateway-image-pull-policy', help: "Always, IfNotPresent or Never (unset: Kubernetes' default)", env: ['OPERATOR_GATEWAY_IMAGE_PULL_POLICY'],
    schema: z.enum(['Always', 'IfNotPresent', 'Never'], { error: 'expected Always, IfNotPresent or Never' }).optional(),
  },
  gatewayRunAsUser: { flag: 'gateway-run-as-user', help: 'non-root user id the gateway container runs as', env: ['OPERATOR_GATEWAY_RUN_AS_USER'], schema: integer(1, 2_147_483_647).default(65532) },
  gatewayCpuRequest: { flag: 'gateway-cpu-request', help: 'CPU request of the gateway container (none: not set)', env: ['OPERATOR_GATEWAY_CPU_REQUEST'], schema: quantityOrNone.default('50m') },
  gatewayMemoryRequest: { flag: 'gateway-memory-request', help: 'memory request of the gateway container (none: not set)', env: ['OPERATOR_GATEWAY_MEMORY_REQUEST'], schema: quantityOrNone.default('64Mi') },
  gatewayCpuLimit: { flag: 'gateway-cpu-limit', help: 'CPU limit of the gateway container (none: not set)', env: ['OPERATOR_GATEWAY_CPU_LIMIT'], schema: quantityOrNone.optional() },
  gatewayMemoryLimit: { flag: 'gateway-memory-limit', help: 'memory limit of the gateway container (none: not set)', env: ['OPERATOR_GATEWAY_MEMORY_LIMIT'], schema: quantityOrNone.default('256Mi') },
  gatewayEnv: { flag: 'gateway-env', help: "admin defaults for the gateway's WS_* variables: NAME=VALUE (repeatable), env: a JSON object", env: ['OPERATOR_GATEWAY_ENV'], schema: z.string().optional() },
  redisSecret: { flag: 'redis-secret', help: "Secret in the operator's namespace holding the Redis URL (unset: no Redis backplane)", env: ['OPERATOR_REDIS_SECRET'], schema: kubeName.optional() },
  redisSecretKey: {
    flag: 'redis-secret-key', help: 'data key of that Secret', env: ['OPERATOR_REDIS_SECRET_KEY'], schema: z.string().regex(/^[-._a-zA-Z0-9]+$/, 'expected a Secret data key').default('url'),
  },
  redisPrefix: { flag: 'redis-prefix', help: 'base Redis prefix; each app gets <prefix>:<namespace>:<deployment>', env: ['OPERATOR_REDIS_PREFIX'], schema: z.string().min(1, 'expected a non-empty prefix').default(DEFAULT_REDIS_PREFIX) },
  redisSecretInPods: { flag: 'redis-secret-in-pods', help: 'on: pods read WS_REDIS_URL from a copy of the Secret in their namespace; off: a literal value', env: ['OPERATOR_REDIS_SECRET_IN_PODS'], schema: onOff.default(true) },
  gatewayNetworkPolicy: { flag: 'gateway-network-policy', help: 'on: a NetworkPolicy per app admits the gateway port only from --gateway-network-policy-from', env: ['OPERATOR_GATEWAY_NETWORK_POLICY'], schema: onOff.default(false) },
  gatewayNetworkPolicyFrom: { flag: 'gateway-network-policy-from', help: 'a JSON list of the NetworkPolicy peers that may reach the gateway port', env: ['OPERATOR_GATEWAY_NETWORK_POLICY_FROM'], schema: jsonPeers.optional() },
  reconcileConcurrency: { flag: 'reconcile-concurrency', help: 'Deployments reconciled at the same time', env: ['OPERATOR_RECONCILE_CONCURRENCY'], schema: integer(1, 64).default(4) },
  statusInterval: { flag: 'status-interval', help: "how often the leader samples every gateway's /stats (500ms, 10s, 1m)", env: ['OPERATOR_STATUS_INTERVAL'], schema: duration.prefault('10s') },
  nativeSidecars: {
    flag: 'native-sidecars', help: 'on: the gateway is a native sidecar (init container); off: a regular container; auto: on from Kubernetes 1.29', env: ['OPERATOR_NATIVE_SIDECARS'],
    schema: z.enum(['auto', 'on', 'off'], { error: 'expected auto, on or off' }).default('auto'),
  },
  restartOutdated: { flag: 'restart-outdated', help: 'on: restart the pods of a Deployment whose injected gateway config is outdated', env: ['OPERATOR_RESTART_OUTDATED'], schema: onOff.default(false) },
  leaderElection: { flag: 'leader-election', help: 'on: replicas elect a leader through a Lease; off: this replica always leads', env: ['OPERATOR_LEADER_ELECTION'], schema: onOff.default(true) },
  leaseName: { flag: 'lease-name', help: "the Lease's name, in the operator's namespace", env: ['OPERATOR_LEASE_NAME'], schema: kubeName.default('tapr-ws-operator') },
  leaseDuration: { flag: 'lease-duration', help: 'how long a Lease stays valid without renewal (at least 1s)', env: ['OPERATOR_LEASE_DURATION'], schema: duration.pipe(z.number().min(1000, 'expected at least 1s')).prefault('15s') },
  logLevel: {
    flag: 'log-level', help: 'debug, info, warn or error; JSON lines on stdout', env: ['OPERATOR_LOG_LEVEL'],
    schema: z.enum(['debug', 'info', 'warn', 'error'], { error: 'expected debug, info, warn or error' }).default('info'),
  },
  watchNamespaces: {
    flag: 'watch-namespaces', help: 'all, or a comma-separated list of namespaces to watch and inject', env: ['OPERATOR_WATCH_NAMESPACES'],
    schema: z.string().transform((text, context) => {
      const parsed = parseWatchNamespaces(text);
      if (typeof parsed === 'string') {
        context.addIssue({ code: 'custom', message: parsed });
        return z.NEVER;
      }
      return parsed.namespaces;
    }).default('all'),
  },
  webhookMode: {
    flag: 'webhook-mode', help: 'self-managed: own CA, Secret and webhook configuration; cert-manager: serve the files in --webhook-cert-dir', env: ['OPERATOR_WEBHOOK_MODE'],
    schema: z.enum(['self-managed', 'cert-manager'], { error: 'expected self-managed or cert-manager' }).default('self-managed'),
  },
  webhookCertDir: {
    flag: 'webhook-cert-dir', help: 'cert-manager mode: directory with tls.crt and tls.key', env: ['OPERATOR_WEBHOOK_CERT_DIR'],
    schema: z.string().trim().regex(/^\//, 'expected an absolute directory path').default(DEFAULT_WEBHOOK_CERT_DIR),
  },
  webhookConfigurationName: {
    flag: 'webhook-configuration-name', help: 'the MutatingWebhookConfiguration kept current (self-managed mode)', env: ['OPERATOR_WEBHOOK_CONFIGURATION_NAME'], schema: kubeName.default('tapr-ws-operator'),
  },
  webhookSecret: { flag: 'webhook-secret', help: "self-managed mode: the Secret holding the webhook's CA and serving certificate", env: ['OPERATOR_WEBHOOK_SECRET'], schema: kubeName.default('tapr-ws-operator-webhook-tls') },
  webhookHost: { flag: 'webhook-host', help: 'address the webhook listens on (unset: 127.0.0.1, or 0.0.0.0 with --webhook-service)', env: ['OPERATOR_WEBHOOK_HOST'], schema: z.string().trim().min(1, 'expected an address or host name').optional() },
  webhookPort: { flag: 'webhook-port', help: 'port the webhook listens on (0: a free port, out of cluster)', env: ['OPERATOR_WEBHOOK_PORT'], schema: integer(0, 65535).default(9443) },
  webhookService: { flag: 'webhook-service', help: 'in cluster: the Service the API server calls (unset: a URL to this process)', env: ['OPERATOR_WEBHOOK_SERVICE'], schema: kubeName.optional() },
  webhookServicePort: { flag: 'webhook-service-port', help: "that Service's port", env: ['OPERATOR_WEBHOOK_SERVICE_PORT'], schema: integer(1, 65535).default(443) },
  healthHost: { flag: 'health-host', help: 'address of the health and metrics server', env: ['OPERATOR_HEALTH_HOST'], schema: z.string().trim().min(1, 'expected an address to listen on').default('0.0.0.0') },
  healthPort: { flag: 'health-port', help: 'port of /healthz, /readyz and /metrics (0: a free port)', env: ['OPERATOR_HEALTH_PORT'], schema: integer(0, 65535).default(8080) },
} as const;

type OptionName = keyof typeof OPTIONS;
type Parsed = { [K in OptionName]: z.output<(typeof OPTIONS)[K]['schema']> };

export type NativeSidecarMode = 'auto' | 'on' | 'off';

export type WebhookListen =
  /** Out of cluster: the API server calls https://<host>:<port>/mutate-pods; the operator listens on that address. */
  | { kind: 'url'; host: string; port: number }
  /** In cluster: the API server calls the Service; the operator listens on host:port behind it. */
  | { kind: 'service'; host: string; port: number; serviceName: string; servicePort: number };

export interface OperatorConfig {
  /** Path to a kubeconfig; undefined → the in-cluster service account. */
  kubeconfigPath: string | undefined;
  namespace: string;
  /** Gateway settings without Redis: the Redis URL is read from its Secret at start-up. */
  settings: GatewaySettings;
  redis: { secretName: string; secretKey: string; prefix: string; secretInPods: boolean } | undefined;
  /** Per app, a NetworkPolicy `<deployment>-ws` admitting the gateway port only from these peers; undefined: none. */
  gatewayNetworkPolicy: { from: NetworkPolicyPeer[] } | undefined;
  /** Deployment keys reconciled at the same time. */
  reconcileConcurrency: number;
  statusIntervalMs: number;
  nativeSidecars: NativeSidecarMode;
  restartOutdated: boolean;
  /** Lease-based leader election; undefined: this replica always leads. */
  leaderElection: { leaseName: string; leaseDurationSeconds: number } | undefined;
  logLevel: 'debug' | 'info' | 'warn' | 'error';
  /** `all`: cluster-wide watches; a list: only these namespaces (deduplicated, in the given order). */
  watchNamespaces: 'all' | string[];
  webhook: WebhookListen;
  /** self-managed: own CA + Secret + caBundle; cert-manager: serving pair read (and re-read) from files in certDir. */
  webhookTls: { mode: 'self-managed' } | { mode: 'cert-manager'; certDir: string };
  /** The MutatingWebhookConfiguration and (self-managed mode) the TLS Secret the operator keeps: the Helm chart's names. */
  webhookConfigurationName: string;
  webhookSecretName: string;
  health: { host: string; port: number };
}

/** `errors`, when given: one line per bad option (every one at once); `error` is the first. */
export type OperatorConfigResult = { ok: true; config: OperatorConfig } | { ok: false; error: string; errors?: string[] };

/** Flag name → option, for parseArgs. Every flag takes a value; `--gateway-env` may repeat. */
const parseArgsOptions = Object.fromEntries(Object.values(OPTIONS).map((option) => [
  option.flag, { type: 'string' as const, multiple: option.flag === 'gateway-env' },
]));

/** Reads the configuration; the error names the flag or variable, the value, and what is allowed. */
export function parseOperatorConfig(argv: readonly string[], env: Record<string, string | undefined>): OperatorConfigResult {
  let flags: Record<string, string | string[] | undefined>;
  try {
    flags = parseArgs({ args: [...argv], options: parseArgsOptions, strict: true, allowPositionals: false }).values;
  } catch (error) {
    return { ok: false, error: describeArgsError(error) };
  }

  const values: Record<string, unknown> = {};
  const errors: string[] = [];
  for (const [name, option] of Object.entries(OPTIONS) as [OptionName, (typeof OPTIONS)[OptionName]][]) {
    const source = sourceOf(option, flags, env);
    if (name === 'gatewayEnv') continue;
    const parsed = (option.schema as z.ZodType).safeParse(source?.value);
    if (!parsed.success) errors.push(describeIssue(source, option, parsed.error.issues[0]!.message));
    else values[name] = parsed.data;
  }
  if (errors.length > 0) return { ok: false, error: errors[0]!, errors };
  const parsedValues = values as Parsed;

  const gatewayEnv = parseGatewayEnvOption(flags, env);
  if (!gatewayEnv.ok) return gatewayEnv;

  const settingsResult = parseGatewaySettings({
    image: parsedValues.gatewayImage,
    ...(parsedValues.gatewayImagePullPolicy === undefined ? {} : { imagePullPolicy: parsedValues.gatewayImagePullPolicy }),
    runAsUser: parsedValues.gatewayRunAsUser,
    resources: {
      requests: withoutUnset({ cpu: parsedValues.gatewayCpuRequest, memory: parsedValues.gatewayMemoryRequest }),
      limits: withoutUnset({ cpu: parsedValues.gatewayCpuLimit, memory: parsedValues.gatewayMemoryLimit }),
    },
    env: gatewayEnv.env,
  });
  if (!settingsResult.ok) return { ok: false, error: describeSettingsError(settingsResult.error, flags, env) };

  if (parsedValues.gatewayNetworkPolicy && parsedValues.gatewayNetworkPolicyFrom === undefined) {
    const option = OPTIONS.gatewayNetworkPolicyFrom;
    return { ok: false, error: `--${option.flag} / ${option.env.join(' / ')} is missing: required with --gateway-network-policy on (who may reach the gateway port)` };
  }

  const webhook: WebhookListen = parsedValues.webhookService === undefined
    ? { kind: 'url', host: parsedValues.webhookHost ?? '127.0.0.1', port: parsedValues.webhookPort }
    : {
      kind: 'service', host: parsedValues.webhookHost ?? '0.0.0.0', port: parsedValues.webhookPort,
      serviceName: parsedValues.webhookService, servicePort: parsedValues.webhookServicePort,
    };

  return {
    ok: true,
    config: {
      kubeconfigPath: parsedValues.kubeconfig,
      namespace: parsedValues.namespace,
      settings: settingsResult.settings,
      redis: parsedValues.redisSecret === undefined ? undefined : {
        secretName: parsedValues.redisSecret, secretKey: parsedValues.redisSecretKey, prefix: parsedValues.redisPrefix,
        secretInPods: parsedValues.redisSecretInPods,
      },
      gatewayNetworkPolicy: parsedValues.gatewayNetworkPolicy ? { from: parsedValues.gatewayNetworkPolicyFrom ?? [] } : undefined,
      reconcileConcurrency: parsedValues.reconcileConcurrency,
      statusIntervalMs: parsedValues.statusInterval,
      nativeSidecars: parsedValues.nativeSidecars,
      restartOutdated: parsedValues.restartOutdated,
      leaderElection: parsedValues.leaderElection
        ? { leaseName: parsedValues.leaseName, leaseDurationSeconds: Math.ceil(parsedValues.leaseDuration / 1000) }
        : undefined,
      logLevel: parsedValues.logLevel,
      watchNamespaces: parsedValues.watchNamespaces,
      webhook,
      webhookTls: parsedValues.webhookMode === 'cert-manager' ? { mode: 'cert-manager', certDir: parsedValues.webhookCertDir } : { mode: 'self-managed' },
      webhookConfigurationName: parsedValues.webhookConfigurationName,
      webhookSecretName: parsedValues.webhookSecret,
      health: { host: parsedValues.healthHost, port: parsedValues.healthPort },
    },
  };
}

/** `all` or a comma-separated list of namespace names (RFC 1123 labels); an error names the bad entry. */
export function parseWatchNamespaces(text: string): { namespaces: 'all' | string[] } | string {
  if (text.trim() === 'all') return { namespaces: 'all' };
  const entries = text.split(',').map((entry) => entry.trim());
  const namespaces: string[] = [];
  for (const [index, entry] of entries.entries()) {
    if (entry === '') return `entry ${index + 1} is empty: expected all or a comma-separated list of namespace names`;
    if (entry === 'all') return 'all cannot be combined with namespace names';
    if (entry.length > 63 || !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(entry)) {
      return `${JSON.stringify(entry)} is not a namespace name (lowercase letters, digits and '-', at most 63, starting and ending with a letter or digit)`;
    }
    if (!namespaces.includes(entry)) namespaces.push(entry);
  }
  return { namespaces };
}

/** Native sidecars (init containers with restartPolicy Always) exist from Kubernetes 1.29. */
export function decideNativeSidecars(mode: NativeSidecarMode, serverVersion: { major: string; minor: string }): boolean {
  if (mode !== 'auto') return mode === 'on';
  const major = Number.parseInt(serverVersion.major, 10);
  const minor = Number.parseInt(serverVersion.minor, 10);
  if (!Number.isFinite(major) || !Number.isFinite(minor)) return false;
  return major > 1 || (major === 1 && minor >= 29);
}

interface Source { label: string; value: string }

function sourceOf(
  option: { flag: string; env: readonly string[] },
  flags: Record<string, string | string[] | undefined>,
  env: Record<string, string | undefined>,
): Source | undefined {
  const flagValue = flags[option.flag];
  if (typeof flagValue === 'string') return { label: `--${option.flag}`, value: flagValue };
  for (const name of option.env) {
    const value = env[name];
    if (value !== undefined && value !== '') return { label: name, value };
  }
  return undefined;
}

function describeIssue(source: Source | undefined, option: { flag: string; env: readonly string[] }, message: string): string {
  if (source === undefined) return `--${option.flag} / ${option.env.join(' / ')} is missing: ${message}`;
  return `${source.label}=${JSON.stringify(source.value)} is invalid: ${message}`;
}

/** `--gateway-env NAME=VALUE` (repeatable) wins over OPERATOR_GATEWAY_ENV, a JSON object of strings. */
function parseGatewayEnvOption(
  flags: Record<string, string | string[] | undefined>,
  env: Record<string, string | undefined>,
): { ok: true; env: Record<string, string> } | { ok: false; error: string } {
  const flagValues = flags['gateway-env'];
  if (Array.isArray(flagValues) && flagValues.length > 0) {
    const out: Record<string, string> = {};
    for (const entry of flagValues) {
      const match = /^([A-Z_][A-Z0-9_]*)=(.*)$/s.exec(entry);
      if (match === null) return { ok: false, error: `--gateway-env=${JSON.stringify(entry)} is invalid: expected NAME=VALUE with an upper-case variable name` };
      out[match[1]!] = match[2]!;
    }
    return { ok: true, env: out };
  }
  const text = env.OPERATOR_GATEWAY_ENV;
  if (text === undefined || text.trim() === '') return { ok: true, env: {} };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, error: 'OPERATOR_GATEWAY_ENV is invalid: expected a JSON object of strings such as {"WS_REQUIRE_USER":"true"}' };
  }
  const parsed = z.record(z.string(), z.string()).safeParse(json);
  if (!parsed.success) return { ok: false, error: 'OPERATOR_GATEWAY_ENV is invalid: expected a JSON object of strings such as {"WS_REQUIRE_USER":"true"}' };
  return { ok: true, env: parsed.data };
}

/** Maps a gateway-settings error (`resources.requests.cpu: …`, `env.WS_PORT: …`) back to the option that set it. */
function describeSettingsError(error: string, flags: Record<string, string | string[] | undefined>, env: Record<string, string | undefined>): string {
  const [field = '', ...rest] = error.split(': ');
  const message = rest.join(': ').replace(/^unknown variable (\S+) is ignored$/, '$1 is not a gateway variable (SPEC A1)');
  const byField: Record<string, { flag: string; env: readonly string[] }> = {
    image: OPTIONS.gatewayImage,
    'resources.requests.cpu': OPTIONS.gatewayCpuRequest,
    'resources.requests.memory': OPTIONS.gatewayMemoryRequest,
    'resources.limits.cpu': OPTIONS.gatewayCpuLimit,
    'resources.limits.memory': OPTIONS.gatewayMemoryLimit,
  };
  const option = byField[field];
  if (option !== undefined) return describeIssue(sourceOf(option, flags, env), option, message);
  if (field.startsWith('env')) {
    const label = Array.isArray(flags['gateway-env']) && flags['gateway-env'].length > 0 ? '--gateway-env' : 'OPERATOR_GATEWAY_ENV';
    const name = field.slice('env.'.length);
    return `${label} is invalid: ${name === '' ? '' : `${name} `}${message}`;
  }
  return `gateway settings are invalid: ${error}`;
}

function describeArgsError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const unknown = /Unknown option '([^']+)'/.exec(message);
  if (unknown !== null) return `unknown flag ${unknown[1]} (--help lists every option)`;
  const positional = /Unexpected argument '([^']+)'/.exec(message);
  if (positional !== null) return `unexpected argument ${JSON.stringify(positional[1])}: flags take the form --name value`;
  const missing = /Option '(--[a-z-]+)[^']*' argument missing/.exec(message);
  if (missing !== null) return `${missing[1]} needs a value`;
  return message.split('\n')[0]!;
}

function withoutUnset(list: { cpu: string | null | undefined; memory: string | null | undefined }): { cpu?: string; memory?: string } {
  return {
    ...(list.cpu === undefined || list.cpu === null ? {} : { cpu: list.cpu }),
    ...(list.memory === undefined || list.memory === null ? {} : { memory: list.memory }),
  };
}

/** Every option with its flag and env names, for the README table test. */
export function listOptions(): { flag: string; env: readonly string[] }[] {
  return Object.values(OPTIONS).map(({ flag, env }) => ({ flag, env }));
}

export interface OptionDoc {
  flag: string;
  env: readonly string[];
  help: string;
  /** The default as it would be typed; undefined when the option is unset by default. */
  defaultText: string | undefined;
}

/** Every option with its flag, env names, default and one-line meaning, from the option table (for --help). */
export function listOptionDocs(): OptionDoc[] {
  return Object.values(OPTIONS).map(({ flag, env, help, schema }) => {
    const def = (schema as z.ZodType).def as { type: string; defaultValue?: unknown };
    const hasDefault = def.type === 'default' || def.type === 'prefault';
    return { flag, env, help, defaultText: hasDefault ? optionText(def.defaultValue) : undefined };
  });
}

/** A default in flag syntax: on/off for switches, none for an unset quantity. */
function optionText(value: unknown): string {
  if (typeof value === 'boolean') return value ? 'on' : 'off';
  if (value === null) return 'none';
  return typeof value === 'string' || typeof value === 'number' ? String(value) : JSON.stringify(value);
}
