// The optional per-app NetworkPolicy `<deployment>-ws` (F12): port 40010 of the app's pods only from the peers the
// admin names (the ingress / auth proxy), every other port as open as before. Pure: peers schema, builder, patch.
import * as z from 'zod';
import { isJsonEqual } from '../kube/json.ts';
import type { Deployment, KubeObject } from '../kube/objects.ts';
import { FIELD_MANAGER, GATEWAY_API_VERSION, GATEWAY_KIND, GATEWAY_PORT, networkPolicyName } from '../naming.ts';
import { MANAGED_BY_LABEL } from './desired-objects.ts';

const selectorSchema = z.strictObject({
  matchLabels: z.record(z.string(), z.string(), { error: 'expected a mapping of label names to strings' }).optional(),
  matchExpressions: z.array(z.strictObject({
    key: z.string().min(1, 'expected a label name'),
    operator: z.enum(['In', 'NotIn', 'Exists', 'DoesNotExist'], { error: 'expected In, NotIn, Exists or DoesNotExist' }),
    values: z.array(z.string()).optional(),
  })).optional(),
}, { error: 'expected a label selector (matchLabels, matchExpressions)' });

/** A networking.k8s.io/v1 NetworkPolicyPeer. */
export const networkPolicyPeerSchema = z.strictObject({
  namespaceSelector: selectorSchema.optional(),
  podSelector: selectorSchema.optional(),
  ipBlock: z.strictObject({
    cidr: z.string().regex(/^[0-9a-fA-F.:]+\/\d{1,3}$/, 'expected a CIDR such as 10.0.0.0/8'),
    except: z.array(z.string().regex(/^[0-9a-fA-F.:]+\/\d{1,3}$/, 'expected a CIDR such as 10.0.0.0/8')).optional(),
  }).optional(),
}, { error: 'expected a NetworkPolicy peer: namespaceSelector and/or podSelector, or ipBlock' }).superRefine((peer, context) => {
  const selectors = peer.namespaceSelector !== undefined || peer.podSelector !== undefined;
  if (!selectors && peer.ipBlock === undefined) context.addIssue({ code: 'custom', message: 'expected namespaceSelector, podSelector or ipBlock' });
  if (selectors && peer.ipBlock !== undefined) context.addIssue({ code: 'custom', message: 'ipBlock cannot be combined with a selector in one peer' });
});
export type NetworkPolicyPeer = z.output<typeof networkPolicyPeerSchema>;

export const networkPolicyPeersSchema = z.array(networkPolicyPeerSchema, { error: 'expected a JSON list of NetworkPolicy peers' })
  .min(1, 'expected at least one peer (who may reach the gateway port: the ingress or auth proxy)');

interface PolicyPort { protocol: 'TCP' | 'UDP' | 'SCTP'; port?: number | string; endPort?: number }
interface IngressRule { from?: NetworkPolicyPeer[]; ports: PolicyPort[] }

export interface NetworkPolicySpec {
  podSelector: { matchLabels?: Record<string, string>; matchExpressions?: { key: string; operator: string; values?: string[] }[] };
  policyTypes: ['Ingress'];
  ingress: IngressRule[];
}

const templatePortsSchema = z.looseObject({
  spec: z.looseObject({
    template: z.looseObject({
      spec: z.looseObject({
        containers: z.array(z.looseObject({ ports: z.array(z.looseObject({ containerPort: z.number(), protocol: z.string().optional() })).optional() })).optional(),
        initContainers: z.array(z.looseObject({ ports: z.array(z.looseObject({ containerPort: z.number(), protocol: z.string().optional() })).optional() })).optional(),
      }).optional(),
    }),
  }),
});

/**
 * A policy that selects pods restricts all their ingress, so besides the rule for 40010 there is one rule open to
 * everyone for every other port: TCP 1-40009 and 40011-65535 (endPort ranges), all of UDP, and each port the pod
 * template declares, listed on its own (so declared ports stay open even where a CNI ignores endPort).
 */
export function buildNetworkPolicySpec(deployment: Deployment, peers: readonly NetworkPolicyPeer[]): NetworkPolicySpec {
  const selector = deployment.spec.selector;
  const podSelector: NetworkPolicySpec['podSelector'] = {};
  if (selector.matchLabels !== undefined) podSelector.matchLabels = { ...selector.matchLabels };
  if (selector.matchExpressions !== undefined) podSelector.matchExpressions = selector.matchExpressions.map((expression) => ({ ...expression }));
  const declared = new Map<string, PolicyPort>();
  const parsed = templatePortsSchema.safeParse(deployment);
  const containers = parsed.success ? [...parsed.data.spec.template.spec?.containers ?? [], ...parsed.data.spec.template.spec?.initContainers ?? []] : [];
  for (const port of containers.flatMap((container) => container.ports ?? [])) {
    const protocol = port.protocol === 'UDP' || port.protocol === 'SCTP' ? port.protocol : 'TCP';
    if (protocol === 'TCP' && port.containerPort === GATEWAY_PORT) continue;
    declared.set(`${protocol}/${port.containerPort}`, { protocol, port: port.containerPort });
  }
  const declaredPorts = [...declared.values()].sort((a, b) => (a.protocol === b.protocol ? Number(a.port) - Number(b.port) : a.protocol.localeCompare(b.protocol)));
  return {
    podSelector,
    policyTypes: ['Ingress'],
    ingress: [
      { from: peers.map((peer) => structuredClone(peer)), ports: [{ protocol: 'TCP', port: GATEWAY_PORT }] },
      {
        ports: [
          { protocol: 'TCP', port: 1, endPort: GATEWAY_PORT - 1 },
          { protocol: 'TCP', port: GATEWAY_PORT + 1, endPort: 65535 },
          { protocol: 'UDP' },
          ...declaredPorts,
        ],
      },
    ],
  };
}

export function buildNetworkPolicy(gateway: { name: string; namespace: string; uid: string }, spec: NetworkPolicySpec): Record<string, unknown> {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: {
      name: networkPolicyName(gateway.name),
      namespace: gateway.namespace,
      labels: { [MANAGED_BY_LABEL]: FIELD_MANAGER },
      ownerReferences: [{ apiVersion: GATEWAY_API_VERSION, kind: GATEWAY_KIND, name: gateway.name, uid: gateway.uid, controller: true, blockOwnerDeletion: true }],
    },
    spec,
  };
}

/** The JSON patch that replaces an existing policy's spec with the desired one, or undefined when it already matches. */
export function buildNetworkPolicyPatch(existing: KubeObject, desired: NetworkPolicySpec): Record<string, unknown>[] | undefined {
  const current = (existing as { spec?: unknown }).spec;
  if (isJsonEqual(normalize(current), desired)) return undefined;
  return [
    { op: 'test', path: '/metadata/uid', value: existing.metadata.uid },
    { op: 'replace', path: '/spec', value: desired },
  ];
}

/** The API server may drop empty fields and add none we set; only a missing podSelector map matters here. */
function normalize(spec: unknown): unknown {
  if (typeof spec !== 'object' || spec === null) return spec;
  return { ...(spec as Record<string, unknown>), podSelector: (spec as { podSelector?: unknown }).podSelector ?? {} };
}
