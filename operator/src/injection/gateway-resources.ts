// The gateway container's resources: the admin's settings, overridden per pod by tapr.io/gateway-cpu|memory. Pure.
// An annotation sets the request; a configured limit lower than it is raised to it (a request above its limit
// would make the API server reject the pod). A malformed or too small value is ignored with a warning.
import { parseQuantity } from '../kube/quantity.ts';
import { GATEWAY_CPU_ANNOTATION, GATEWAY_MEMORY_ANNOTATION } from '../naming.ts';
import type { ResourceList } from './gateway-settings.ts';

export interface ResourceRequirements {
  requests?: Record<string, string>;
  limits?: Record<string, string>;
}

interface Override {
  resource: 'cpu' | 'memory';
  annotation: string;
  minimum: number;
  rule: string;
}

const OVERRIDES: Override[] = [
  { resource: 'cpu', annotation: GATEWAY_CPU_ANNOTATION, minimum: 0.001, rule: 'expected a CPU quantity of at least 1m, such as 100m or 1' },
  // Below this Node.js cannot start; it also catches "128m", which means 0.128 bytes.
  { resource: 'memory', annotation: GATEWAY_MEMORY_ANNOTATION, minimum: 32 * 2 ** 20, rule: 'expected a memory quantity of at least 32Mi, such as 128Mi or 1Gi' },
];

export function buildGatewayResources(
  configured: { requests: ResourceList; limits: ResourceList },
  podAnnotations: Record<string, string>,
): { resources: ResourceRequirements; warnings: string[] } {
  const requests: Record<string, string> = { ...definedOnly(configured.requests) };
  const limits: Record<string, string> = { ...definedOnly(configured.limits) };
  const warnings: string[] = [];
  for (const override of OVERRIDES) {
    const text = podAnnotations[override.annotation];
    if (text === undefined) continue;
    const value = parseQuantity(text.trim());
    if (value === undefined || value < override.minimum) {
      warnings.push(`annotation ${override.annotation}=${JSON.stringify(text)} is ignored: ${override.rule}`);
      continue;
    }
    requests[override.resource] = text.trim();
    const limit = limits[override.resource];
    if (limit !== undefined && parseQuantity(limit)! < value) limits[override.resource] = text.trim();
  }
  const resources: ResourceRequirements = {};
  if (Object.keys(limits).length > 0) resources.limits = limits;
  if (Object.keys(requests).length > 0) resources.requests = requests;
  return { resources, warnings };
}

function definedOnly(list: ResourceList): Record<string, string> {
  return Object.fromEntries(Object.entries(list).filter((entry): entry is [string, string] => entry[1] !== undefined));
}
