// Pure: which admission webhooks a request reaches — rules (operations, groups, versions, resources/subresources,
// scope), matchPolicy (Exact / Equivalent), namespaceSelector and objectSelector, as the apiserver's matchers decide.
import { buildLabelSelector, matchesLabels } from '../selectors/label-selector.ts';
import type { LabelSelectorObject } from '../selectors/label-selector.ts';
import type { RuleWithOperations, Webhook } from './webhook-configuration.ts';

export interface GroupVersionResource {
  group: string;
  version: string;
  resource: string;
}

export interface MatchRequest {
  operation: 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT';
  /** The resource as requested. */
  resource: GroupVersionResource;
  subresource: string;
  /** Empty for cluster-scoped objects. */
  namespace: string;
  /** Other served versions/groups of the same stored objects, for matchPolicy Equivalent. */
  equivalents: GroupVersionResource[];
  /** Labels of the request's namespace (for a Namespace request: of the namespace object itself); undefined if not found. */
  namespaceLabels: Record<string, string> | undefined;
  objectLabels: Record<string, string> | undefined;
  oldObjectLabels: Record<string, string> | undefined;
}

export type MatchDecision =
  | { matches: false }
  /** `resource` is what the webhook sees (the requested one, or an equivalent one under matchPolicy Equivalent). */
  | { matches: true; resource: GroupVersionResource };

/** Configuration kinds whose own writes never go through webhooks (so a broken webhook can always be removed). */
export function isExemptResource(r: GroupVersionResource): boolean {
  return r.group === 'admissionregistration.k8s.io'
    && ['mutatingwebhookconfigurations', 'validatingwebhookconfigurations', 'validatingadmissionpolicies', 'validatingadmissionpolicybindings'].includes(r.resource);
}

function isNamespaceObject(r: GroupVersionResource): boolean {
  return r.group === '' && r.resource === 'namespaces';
}

function isListed(list: string[] | undefined, value: string): boolean {
  return (list ?? []).some((v) => v === '*' || v === value);
}

/** `pods` is the resource only, `pods/*` all its subresources, `*` every resource, `*\/status` every status, `*\/*` everything. */
export function isRuleResourceMatch(ruleResources: string[] | undefined, resource: string, subresource: string): boolean {
  for (const entry of ruleResources ?? []) {
    const slash = entry.indexOf('/');
    const res = slash < 0 ? entry : entry.slice(0, slash);
    const sub = slash < 0 ? '' : entry.slice(slash + 1);
    if ((res === '*' || res === resource) && (sub === '*' || sub === subresource)) return true;
  }
  return false;
}

export function isRuleMatch(rule: RuleWithOperations, req: Pick<MatchRequest, 'operation' | 'subresource' | 'namespace'>, gvr: GroupVersionResource): boolean {
  const scope = rule.scope ?? '*';
  if (scope === 'Cluster' && !(req.namespace === '' || isNamespaceObject(gvr))) return false;
  if (scope === 'Namespaced' && (req.namespace === '' || isNamespaceObject(gvr))) return false;
  return isListed(rule.operations, req.operation) && isListed(rule.apiGroups, gvr.group) && isListed(rule.apiVersions, gvr.version)
    && isRuleResourceMatch(rule.resources, gvr.resource, req.subresource);
}

function isSelectorMatch(selector: LabelSelectorObject | undefined, labels: Record<string, string> | undefined): boolean {
  return matchesLabels(buildLabelSelector(selector ?? {}), labels ?? {});
}

function isEmptySelector(selector: LabelSelectorObject | undefined): boolean {
  return selector === undefined || (Object.keys(selector.matchLabels ?? {}).length === 0 && (selector.matchExpressions ?? []).length === 0);
}

export function decideWebhookMatch(webhook: Webhook, req: MatchRequest): MatchDecision {
  if (isExemptResource(req.resource)) return { matches: false };
  const rules = webhook.rules ?? [];
  let resource: GroupVersionResource | undefined;
  if (rules.some((r) => isRuleMatch(r, req, req.resource))) resource = req.resource;
  else if ((webhook.matchPolicy ?? 'Equivalent') === 'Equivalent') {
    resource = req.equivalents.find((eq) => rules.some((r) => isRuleMatch(r, req, eq)));
  }
  if (resource === undefined) return { matches: false };
  // namespaceSelector: cluster-scoped objects other than namespaces are never exempted.
  if (!isEmptySelector(webhook.namespaceSelector) && (req.namespace !== '' || isNamespaceObject(req.resource))) {
    if (req.namespaceLabels === undefined || !isSelectorMatch(webhook.namespaceSelector, req.namespaceLabels)) return { matches: false };
  }
  // objectSelector: matched against the new object's and the old object's labels (either may match).
  if (!isEmptySelector(webhook.objectSelector)) {
    const onNew = req.objectLabels !== undefined && isSelectorMatch(webhook.objectSelector, req.objectLabels);
    const onOld = req.oldObjectLabels !== undefined && isSelectorMatch(webhook.objectSelector, req.oldObjectLabels);
    if (!onNew && !onOld) return { matches: false };
  }
  return { matches: true, resource };
}
