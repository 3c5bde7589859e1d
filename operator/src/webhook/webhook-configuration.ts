// The MutatingWebhookConfiguration the operator registers for pod injection (SPEC B3), and whether a stored one is current. Pure.
import { isJsonEqual, isJsonObject } from '../kube/json.ts';
import { MANIFEST_LABEL } from '../naming.ts';

export const WEBHOOK_PATH = '/mutate-pods';
export const WEBHOOK_NAME = 'inject.ws-gateway.tapr.io';
/** Set by the API server on every namespace (Kubernetes ≥ 1.21). */
export const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

export type ClientConfig =
  | { url: string }
  | { service: { name: string; namespace: string; path: string; port: number } };

export interface WebhookConfigurationInput {
  name: string;
  clientConfig: ClientConfig;
  /** base64 of the PEM CA bundle. */
  caBundle: string;
  /** Never inject here: kube-system and the operator's own namespace. */
  excludedNamespaces: string[];
  /** With --watch-namespaces <list>: only pods in these namespaces are sent to the webhook (others are left alone). */
  includedNamespaces?: readonly string[];
  timeoutSeconds?: number;
}

export function buildWebhook(input: WebhookConfigurationInput): Record<string, unknown> {
  return {
    name: WEBHOOK_NAME,
    admissionReviewVersions: ['v1'],
    sideEffects: 'None',
    failurePolicy: 'Ignore',
    matchPolicy: 'Equivalent',
    reinvocationPolicy: 'Never',
    timeoutSeconds: input.timeoutSeconds ?? 5,
    clientConfig: { ...input.clientConfig, caBundle: input.caBundle },
    rules: [{ operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['pods'], scope: 'Namespaced' }],
    objectSelector: { matchExpressions: [{ key: MANIFEST_LABEL, operator: 'Exists' }] },
    namespaceSelector: buildNamespaceSelector(input),
  };
}

/** Never the excluded namespaces; with a list of included ones, only those (the expressions are ANDed). */
function buildNamespaceSelector(input: WebhookConfigurationInput): Record<string, unknown> {
  const matchExpressions: Record<string, unknown>[] = [
    { key: NAMESPACE_NAME_LABEL, operator: 'NotIn', values: [...new Set(input.excludedNamespaces)].sort() },
  ];
  if (input.includedNamespaces !== undefined) {
    matchExpressions.push({ key: NAMESPACE_NAME_LABEL, operator: 'In', values: [...new Set(input.includedNamespaces)].sort() });
  }
  return { matchExpressions };
}

export function buildWebhookConfiguration(input: WebhookConfigurationInput): Record<string, unknown> {
  return {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'MutatingWebhookConfiguration',
    metadata: { name: input.name, labels: { 'app.kubernetes.io/managed-by': 'tapr-ws-operator' } },
    webhooks: [buildWebhook(input)],
  };
}

/** True when the stored configuration has exactly our one webhook with every field we set (API defaults are ignored). */
export function isWebhookConfigurationCurrent(stored: unknown, desiredWebhook: Record<string, unknown>): boolean {
  if (!isJsonObject(stored) || !Array.isArray(stored.webhooks) || stored.webhooks.length !== 1) return false;
  const webhook: unknown = stored.webhooks[0];
  if (!isJsonObject(webhook)) return false;
  return Object.entries(desiredWebhook).every(([key, value]) => {
    if (key === 'clientConfig' && isJsonObject(value) && isJsonObject(webhook.clientConfig)) {
      const { service, ...rest } = value;
      const { service: storedService, ...storedRest } = webhook.clientConfig;
      // The API defaults service.port to 443; compare what we set.
      return isJsonEqual(rest, storedRest) && (service === undefined ? storedService === undefined : isJsonObject(service) && isJsonObject(storedService)
        && Object.entries(service).every(([field, fieldValue]) => isJsonEqual(storedService[field], fieldValue)));
    }
    return isJsonEqual(webhook[key], value);
  });
}
