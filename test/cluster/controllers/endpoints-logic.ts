// Pure: a Service's Endpoints subsets from pods — selector match, readiness, ports by number or container port name.
import { isJsonObject, toText, type JsonObject, type JsonValue } from '../patch/json-value.ts';
import { podIsReady } from './workload-logic.ts';

function matches(selector: JsonObject, labels: Record<string, string>): boolean {
  return Object.entries(selector).every(([k, v]) => labels[k] === v);
}

function containerPort(pod: JsonObject, target: JsonValue | undefined, protocol: string): number | undefined {
  if (typeof target === 'number') return target;
  if (typeof target === 'string' && /^\d+$/.test(target)) return Number(target);
  const spec = isJsonObject(pod.spec) ? pod.spec : {};
  const containers = [...(Array.isArray(spec.initContainers) ? spec.initContainers : []), ...(Array.isArray(spec.containers) ? spec.containers : [])];
  for (const c of containers) {
    if (!isJsonObject(c) || !Array.isArray(c.ports)) continue;
    for (const p of c.ports) {
      if (isJsonObject(p) && p.name === target && (p.protocol ?? 'TCP') === protocol && typeof p.containerPort === 'number') return p.containerPort;
    }
  }
  return undefined;
}

export function buildEndpointSubsets(service: JsonObject, pods: JsonObject[]): JsonObject[] {
  const spec = isJsonObject(service.spec) ? service.spec : {};
  const selector = isJsonObject(spec.selector) ? spec.selector : {};
  const svcPorts = Array.isArray(spec.ports) ? spec.ports.filter(isJsonObject) : [];
  const groups = new Map<string, { ports: JsonObject[]; addresses: JsonObject[]; notReadyAddresses: JsonObject[] }>();
  for (const pod of pods) {
    const m = isJsonObject(pod.metadata) ? pod.metadata : {};
    const status = isJsonObject(pod.status) ? pod.status : {};
    const podSpec = isJsonObject(pod.spec) ? pod.spec : {};
    if (m.deletionTimestamp !== undefined || typeof status.podIP !== 'string' || status.podIP === '') continue;
    if (status.phase === 'Succeeded' || status.phase === 'Failed') continue;
    if (!matches(selector, (isJsonObject(m.labels) ? m.labels : {}) as Record<string, string>)) continue;
    const ports: JsonObject[] = [];
    for (const sp of svcPorts) {
      const protocol = typeof sp.protocol === 'string' ? sp.protocol : 'TCP';
      const port = containerPort(pod, sp.targetPort ?? sp.port, protocol);
      if (port === undefined) continue;
      const out: JsonObject = { port, protocol };
      if (typeof sp.name === 'string' && sp.name !== '') out.name = sp.name;
      if (typeof sp.appProtocol === 'string') out.appProtocol = sp.appProtocol;
      ports.push(out);
    }
    if (svcPorts.length > 0 && ports.length === 0) continue;
    const key = JSON.stringify(ports);
    const group = groups.get(key) ?? { ports, addresses: [], notReadyAddresses: [] };
    groups.set(key, group);
    const address: JsonObject = { ip: status.podIP, targetRef: { kind: 'Pod', namespace: m.namespace ?? '', name: m.name ?? '', uid: m.uid ?? '' } };
    if (typeof podSpec.nodeName === 'string') address.nodeName = podSpec.nodeName;
    (podIsReady(pod) ? group.addresses : group.notReadyAddresses).push(address);
  }
  const byIp = (a: JsonValue, b: JsonValue): number => toText((a as JsonObject).ip).localeCompare(toText((b as JsonObject).ip));
  return [...groups.values()].map((g) => {
    const subset: JsonObject = {};
    if (g.addresses.length > 0) subset.addresses = g.addresses.sort(byIp);
    if (g.notReadyAddresses.length > 0) subset.notReadyAddresses = g.notReadyAddresses.sort(byIp);
    if (g.ports.length > 0) subset.ports = g.ports;
    return subset;
  });
}
