// The admin's settings for injected gateways (image, resources, default WS_* env, Redis), validated once with zod. Pure.
import * as z from 'zod';
import { parseQuantity } from '../kube/quantity.ts';
import { DEFAULT_REDIS_PREFIX } from '../naming.ts';
import { parseGatewayEnv } from './gateway-config-hash.ts';

/** Variables the operator sets itself; an admin default for one of them is refused. */
export const RESERVED_ENV = ['WS_PORT', 'WS_URL', 'WS_GATEWAY_PORT', 'WS_REDIS_URL', 'WS_REDIS_PREFIX', 'POD_NAME', 'POD_NAMESPACE'];

const quantity = z.string().refine((text) => parseQuantity(text) !== undefined, 'expected a resource quantity such as 100m, 64Mi or 1');
const kubeName = z.string().regex(/^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/, 'expected a lowercase DNS name');

const resourceList = z.object({ cpu: quantity.optional(), memory: quantity.optional() });

export const gatewaySettingsSchema = z.object({
  image: z.string().min(1, 'expected an image reference'),
  imagePullPolicy: z.enum(['Always', 'IfNotPresent', 'Never']).optional(),
  /** The image must run as this non-root user id (kubelet cannot verify a user name against runAsNonRoot). */
  runAsUser: z.number().int().min(1, 'expected a non-root user id').default(65532),
  resources: z.object({
    requests: resourceList.default({ cpu: '50m', memory: '64Mi' }),
    limits: resourceList.default({ memory: '256Mi' }),
  }).default({ requests: { cpu: '50m', memory: '64Mi' }, limits: { memory: '256Mi' } }),
  /** Admin defaults for the gateway's WS_* variables (SPEC A1), e.g. WS_REQUIRE_USER=true. */
  env: z.record(z.string(), z.string()).default({}),
  redis: z.object({
    /** The URL itself: needed to compute the configHash the gateway will report. */
    url: z.string().regex(/^rediss?:\/\//, 'expected a redis:// or rediss:// URL'),
    /** When set, pods read WS_REDIS_URL from this Secret in their own namespace instead of a literal value. */
    secretRef: z.object({ name: kubeName, key: z.string().regex(/^[-._a-zA-Z0-9]+$/, 'expected a Secret data key') }).optional(),
    prefix: z.string().min(1).default(DEFAULT_REDIS_PREFIX),
  }).optional(),
}).superRefine((settings, context) => {
  for (const name of Object.keys(settings.env)) {
    if (RESERVED_ENV.includes(name)) {
      context.addIssue({ code: 'custom', path: ['env', name], message: 'is set by the operator; remove it from the defaults' });
    }
  }
  for (const resource of ['cpu', 'memory'] as const) {
    const request = settings.resources.requests[resource];
    const limit = settings.resources.limits[resource];
    if (request !== undefined && limit !== undefined && parseQuantity(request)! > parseQuantity(limit)!) {
      context.addIssue({ code: 'custom', path: ['resources', 'requests', resource], message: `${request} is above the limit ${limit}` });
    }
  }
  const probe = parseGatewayEnv({ ...settings.env, WS_PORT: '8080', WS_URL: '/' });
  if (!probe.ok) context.addIssue({ code: 'custom', path: ['env'], message: probe.error });
});

export type GatewaySettings = z.output<typeof gatewaySettingsSchema>;
export type GatewaySettingsInput = z.input<typeof gatewaySettingsSchema>;
export type ResourceList = z.output<typeof resourceList>;

export type SettingsResult = { ok: true; settings: GatewaySettings } | { ok: false; error: string };

/** Validates the admin's settings; the error names the field. */
export function parseGatewaySettings(input: unknown): SettingsResult {
  const parsed = gatewaySettingsSchema.safeParse(input);
  if (parsed.success) return { ok: true, settings: parsed.data };
  const issue = parsed.error.issues[0]!;
  const field = issue.path.map(String).join('.');
  return { ok: false, error: `${field === '' ? 'settings' : field}: ${issue.message}` };
}
