// Pure: a container's environment as the kubelet builds it — env (value with $(VAR) expansion, valueFrom fieldRef /
// configMapKeyRef / secretKeyRef / resourceFieldRef-less), envFrom with prefix, optional references.
import { isJsonObject, toText, type JsonObject } from './json-value.ts';

export interface EnvSources {
  pod: JsonObject;
  podIP: string;
  /** status.hostIP (default 127.0.0.1). */
  hostIP?: string;
  configMap(name: string): JsonObject | undefined;
  secret(name: string): JsonObject | undefined;
}

export type EnvResult = { ok: true; env: Record<string, string> } | { ok: false; message: string };

function expand(value: string, env: Record<string, string>): string {
  return value.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)/g, (all, name: string | undefined) => {
    if (all === '$$') return '$';
    return name !== undefined && env[name] !== undefined ? env[name] : all;
  });
}

export function fieldRefValue(pod: JsonObject, podIP: string, path: string, hostIP = '127.0.0.1'): string | undefined {
  const m = isJsonObject(pod.metadata) ? pod.metadata : {};
  const spec = isJsonObject(pod.spec) ? pod.spec : {};
  const labels = isJsonObject(m.labels) ? m.labels : {};
  const annotations = isJsonObject(m.annotations) ? m.annotations : {};
  const keyed = /^metadata\.(labels|annotations)\['(.+)'\]$/.exec(path);
  if (keyed !== null) {
    const v = (keyed[1] === 'labels' ? labels : annotations)[keyed[2]!];
    return typeof v === 'string' ? v : '';
  }
  const format = (o: JsonObject): string => Object.keys(o).sort().map((k) => `${k}=${JSON.stringify(toText(o[k]))}`).join('\n');
  switch (path) {
    case 'metadata.name': return toText(m.name ?? '');
    case 'metadata.namespace': return toText(m.namespace ?? '');
    case 'metadata.uid': return toText(m.uid ?? '');
    case 'metadata.labels': return format(labels);
    case 'metadata.annotations': return format(annotations);
    case 'spec.nodeName': return toText(spec.nodeName ?? '');
    case 'spec.serviceAccountName': return toText(spec.serviceAccountName ?? '');
    case 'status.podIP': case 'status.podIPs': return podIP;
    case 'status.hostIP': case 'status.hostIPs': return hostIP;
    default: return undefined;
  }
}

function dataValue(obj: JsonObject, key: string, secret: boolean): string | undefined {
  const data = isJsonObject(obj.data) ? obj.data : {};
  const v = data[key];
  if (typeof v === 'string') return secret ? Buffer.from(v, 'base64').toString('utf8') : v;
  const binary = isJsonObject(obj.binaryData) ? obj.binaryData[key] : undefined;
  return typeof binary === 'string' ? Buffer.from(binary, 'base64').toString('utf8') : undefined;
}

export function buildContainerEnv(container: JsonObject, sources: EnvSources): EnvResult {
  const env: Record<string, string> = {};
  const ns = toText(isJsonObject(sources.pod.metadata) ? sources.pod.metadata.namespace ?? '' : '');
  for (const from of Array.isArray(container.envFrom) ? container.envFrom.filter(isJsonObject) : []) {
    const prefix = typeof from.prefix === 'string' ? from.prefix : '';
    const ref = isJsonObject(from.configMapRef) ? from.configMapRef : isJsonObject(from.secretRef) ? from.secretRef : undefined;
    if (ref === undefined) continue;
    const secret = isJsonObject(from.secretRef);
    const obj = secret ? sources.secret(toText(ref.name)) : sources.configMap(toText(ref.name));
    if (obj === undefined) {
      if (ref.optional === true) continue;
      return { ok: false, message: `${secret ? 'secret' : 'configmap'} "${toText(ref.name)}" not found` };
    }
    const data = isJsonObject(obj.data) ? obj.data : {};
    for (const key of Object.keys(data)) env[prefix + key] = dataValue(obj, key, secret) ?? '';
  }
  for (const e of Array.isArray(container.env) ? container.env.filter(isJsonObject) : []) {
    const name = toText(e.name);
    if (typeof e.value === 'string') {
      env[name] = expand(e.value, env);
      continue;
    }
    const from = isJsonObject(e.valueFrom) ? e.valueFrom : undefined;
    if (from === undefined) {
      env[name] = '';
      continue;
    }
    if (isJsonObject(from.fieldRef)) {
      const v = fieldRefValue(sources.pod, sources.podIP, toText(from.fieldRef.fieldPath), sources.hostIP);
      if (v === undefined) return { ok: false, message: `unsupported fieldPath "${toText(from.fieldRef.fieldPath)}" in env ${name}` };
      env[name] = v;
    } else if (isJsonObject(from.configMapKeyRef) || isJsonObject(from.secretKeyRef)) {
      const secret = isJsonObject(from.secretKeyRef);
      const ref = (secret ? from.secretKeyRef : from.configMapKeyRef) as JsonObject;
      const obj = secret ? sources.secret(toText(ref.name)) : sources.configMap(toText(ref.name));
      const kind = secret ? 'Secret' : 'ConfigMap';
      if (obj === undefined) {
        if (ref.optional === true) continue;
        return { ok: false, message: `${secret ? 'secret' : 'configmap'} "${toText(ref.name)}" not found` };
      }
      const v = dataValue(obj, toText(ref.key), secret);
      if (v === undefined) {
        if (ref.optional === true) continue;
        return { ok: false, message: `couldn't find key ${toText(ref.key)} in ${kind} ${ns}/${toText(ref.name)}` };
      }
      env[name] = v;
    } else {
      return { ok: false, message: `unsupported valueFrom in env ${name}` };
    }
  }
  return { ok: true, env };
}
