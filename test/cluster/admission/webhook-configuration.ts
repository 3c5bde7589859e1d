// Pure: admissionregistration.k8s.io/v1 webhook configurations — the Webhook shape, the server-side defaults and the
// validation rules the apiserver applies when they are written.
import type { FieldError } from '../api/status.ts';
import { isJsonObject, type JsonObject } from '../patch/json-value.ts';
import { buildLabelSelector, SelectorParseError, type LabelSelectorObject } from '../selectors/label-selector.ts';

export interface RuleWithOperations {
  operations?: string[];
  apiGroups?: string[];
  apiVersions?: string[];
  resources?: string[];
  scope?: string;
}

export interface ServiceReference {
  namespace: string;
  name: string;
  path?: string;
  port?: number;
}

export interface Webhook {
  name: string;
  clientConfig: { url?: string; service?: ServiceReference; caBundle?: string };
  rules?: RuleWithOperations[];
  failurePolicy?: 'Fail' | 'Ignore';
  matchPolicy?: 'Exact' | 'Equivalent';
  namespaceSelector?: LabelSelectorObject;
  objectSelector?: LabelSelectorObject;
  sideEffects?: string;
  timeoutSeconds?: number;
  admissionReviewVersions?: string[];
  reinvocationPolicy?: 'Never' | 'IfNeeded';
}

function setDefault(obj: JsonObject, key: string, value: JsonObject[keyof JsonObject]): void {
  if (obj[key] === undefined || obj[key] === null) obj[key] = value;
}

/** The defaults the apiserver sets on every webhook of a (Mutating|Validating)WebhookConfiguration (in place). */
export function applyWebhookConfigurationDefaults(obj: JsonObject, mutating: boolean): void {
  if (!Array.isArray(obj.webhooks)) return;
  for (const w of obj.webhooks) {
    if (!isJsonObject(w)) continue;
    setDefault(w, 'failurePolicy', 'Fail');
    setDefault(w, 'matchPolicy', 'Equivalent');
    setDefault(w, 'namespaceSelector', {});
    setDefault(w, 'objectSelector', {});
    setDefault(w, 'timeoutSeconds', 10);
    if (mutating) setDefault(w, 'reinvocationPolicy', 'Never');
    if (Array.isArray(w.rules)) for (const r of w.rules) if (isJsonObject(r)) setDefault(r, 'scope', '*');
    if (isJsonObject(w.clientConfig) && isJsonObject(w.clientConfig.service)) setDefault(w.clientConfig.service, 'port', 443);
  }
}

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

function notSupported(field: string, value: unknown, allowed: string[]): FieldError {
  return { field, reason: 'FieldValueNotSupported', message: `Unsupported value: ${JSON.stringify(value)}: supported values: ${allowed.map((a) => `"${a}"`).join(', ')}` };
}

/** The field errors of a webhook configuration (empty when valid), worded like the apiserver's. */
export function validateWebhookConfiguration(obj: JsonObject, mutating: boolean): FieldError[] {
  const errors: FieldError[] = [];
  const webhooks = Array.isArray(obj.webhooks) ? obj.webhooks : [];
  const seen = new Set<string>();
  webhooks.forEach((raw, i) => {
    const p = `webhooks[${i}]`;
    const w = (isJsonObject(raw) ? raw : {}) as unknown as Webhook;
    if (typeof w.name !== 'string' || w.name === '') {
      errors.push({ field: `${p}.name`, reason: 'FieldValueRequired', message: 'Required value' });
    } else {
      const parts = w.name.split('.');
      if (parts.length < 3) errors.push({ field: `${p}.name`, reason: 'FieldValueInvalid', message: `Invalid value: "${w.name}": should be a domain with at least three segments separated by dots` });
      else if (!parts.every((s) => DNS1123_LABEL.test(s))) errors.push({ field: `${p}.name`, reason: 'FieldValueInvalid', message: `Invalid value: "${w.name}": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character` });
      if (seen.has(w.name)) errors.push({ field: `${p}.name`, reason: 'FieldValueDuplicate', message: `Duplicate value: "${w.name}"` });
      seen.add(w.name);
    }
    const cc: Webhook['clientConfig'] = isJsonObject(w.clientConfig) ? w.clientConfig : {};
    const hasUrl = typeof cc.url === 'string' && cc.url !== '';
    const hasService = isJsonObject(cc.service);
    if (hasUrl === hasService) {
      errors.push({ field: `${p}.clientConfig`, reason: 'FieldValueRequired', message: 'Required value: exactly one of url or service is required' });
    } else if (hasUrl) {
      let url: URL | undefined;
      try {
        url = new URL(cc.url!);
      } catch {
        errors.push({ field: `${p}.clientConfig.url`, reason: 'FieldValueInvalid', message: `Invalid value: "${cc.url!}": host must be specified` });
      }
      if (url !== undefined && url.protocol !== 'https:') errors.push({ field: `${p}.clientConfig.url`, reason: 'FieldValueInvalid', message: `Invalid value: "${cc.url!}": 'https' is the only allowed URL scheme` });
    } else {
      const s = cc.service!;
      if (typeof s.namespace !== 'string' || s.namespace === '') errors.push({ field: `${p}.clientConfig.service.namespace`, reason: 'FieldValueRequired', message: 'service namespace is required' });
      if (typeof s.name !== 'string' || s.name === '') errors.push({ field: `${p}.clientConfig.service.name`, reason: 'FieldValueRequired', message: 'service name is required' });
      if (s.path !== undefined && !s.path.startsWith('/')) errors.push({ field: `${p}.clientConfig.service.path`, reason: 'FieldValueInvalid', message: `Invalid value: "${s.path}": must start with a '/'` });
    }
    if (w.sideEffects === undefined) errors.push({ field: `${p}.sideEffects`, reason: 'FieldValueRequired', message: 'Required value' });
    else if (w.sideEffects !== 'None' && w.sideEffects !== 'NoneOnDryRun') errors.push(notSupported(`${p}.sideEffects`, w.sideEffects, ['None', 'NoneOnDryRun']));
    if (!Array.isArray(w.admissionReviewVersions) || w.admissionReviewVersions.length === 0) {
      errors.push({ field: `${p}.admissionReviewVersions`, reason: 'FieldValueRequired', message: 'Required value: must specify one of v1, v1beta1' });
    } else if (!w.admissionReviewVersions.includes('v1')) {
      errors.push({ field: `${p}.admissionReviewVersions`, reason: 'FieldValueInvalid', message: `Invalid value: ${JSON.stringify(w.admissionReviewVersions)}: must include at least one of v1, v1beta1` });
    }
    if (w.failurePolicy !== undefined && w.failurePolicy !== 'Fail' && w.failurePolicy !== 'Ignore') errors.push(notSupported(`${p}.failurePolicy`, w.failurePolicy, ['Fail', 'Ignore']));
    if (w.matchPolicy !== undefined && w.matchPolicy !== 'Exact' && w.matchPolicy !== 'Equivalent') errors.push(notSupported(`${p}.matchPolicy`, w.matchPolicy, ['Equivalent', 'Exact']));
    if (mutating && w.reinvocationPolicy !== undefined && w.reinvocationPolicy !== 'Never' && w.reinvocationPolicy !== 'IfNeeded') errors.push(notSupported(`${p}.reinvocationPolicy`, w.reinvocationPolicy, ['IfNeeded', 'Never']));
    if (w.timeoutSeconds !== undefined && (typeof w.timeoutSeconds !== 'number' || w.timeoutSeconds < 1 || w.timeoutSeconds > 30)) {
      errors.push({ field: `${p}.timeoutSeconds`, reason: 'FieldValueInvalid', message: `Invalid value: ${JSON.stringify(w.timeoutSeconds)}: the timeout value must be between 1 and 30 seconds` });
    }
    for (const key of ['namespaceSelector', 'objectSelector'] as const) {
      const sel = w[key];
      if (sel === undefined) continue;
      try {
        buildLabelSelector(sel);
      } catch (err) {
        if (!(err instanceof SelectorParseError)) throw err;
        errors.push({ field: `${p}.${key}.matchExpressions`, reason: 'FieldValueInvalid', message: `Invalid value: ${JSON.stringify(sel)}: ${err.message}` });
      }
    }
    (w.rules ?? []).forEach((r, j) => {
      for (const op of r.operations ?? []) {
        if (!['*', 'CREATE', 'UPDATE', 'DELETE', 'CONNECT'].includes(op)) errors.push(notSupported(`${p}.rules[${j}].operations`, op, ['*', 'CONNECT', 'CREATE', 'DELETE', 'UPDATE']));
      }
      if (r.scope !== undefined && !['*', 'Cluster', 'Namespaced'].includes(r.scope)) errors.push(notSupported(`${p}.rules[${j}].scope`, r.scope, ['*', 'Cluster', 'Namespaced']));
      if ((r.resources ?? []).length === 0) errors.push({ field: `${p}.rules[${j}].resources`, reason: 'FieldValueRequired', message: 'Required value' });
    });
  });
  return errors;
}
