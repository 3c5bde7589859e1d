// Pure: the defaults the apiserver fills into built-in objects on create and update (the ones clients observe most).
import { isJsonObject, toText, type JsonObject, type JsonValue } from '../patch/json-value.ts';
import { applyWebhookConfigurationDefaults } from '../admission/webhook-configuration.ts';

function setDefault(obj: JsonObject, key: string, value: JsonValue): void {
  if (obj[key] === undefined) obj[key] = value;
}

function defaultContainer(c: JsonValue): void {
  if (!isJsonObject(c)) return;
  const image = typeof c.image === 'string' ? c.image : '';
  const tag = image.includes('@') ? 'digest' : (/:([^/:]+)$/.exec(image)?.[1] ?? 'latest');
  setDefault(c, 'imagePullPolicy', tag === 'latest' ? 'Always' : 'IfNotPresent');
  setDefault(c, 'terminationMessagePath', '/dev/termination-log');
  setDefault(c, 'terminationMessagePolicy', 'File');
  setDefault(c, 'resources', {});
  if (Array.isArray(c.ports)) for (const p of c.ports) if (isJsonObject(p)) setDefault(p, 'protocol', 'TCP');
}

export function defaultPodSpec(spec: JsonValue): void {
  if (!isJsonObject(spec)) return;
  setDefault(spec, 'restartPolicy', 'Always');
  setDefault(spec, 'terminationGracePeriodSeconds', 30);
  setDefault(spec, 'dnsPolicy', 'ClusterFirst');
  setDefault(spec, 'securityContext', {});
  setDefault(spec, 'schedulerName', 'default-scheduler');
  setDefault(spec, 'enableServiceLinks', true);
  for (const list of ['containers', 'initContainers']) {
    const cs = spec[list];
    if (Array.isArray(cs)) cs.forEach(defaultContainer);
  }
}

function defaultWorkload(obj: JsonObject, deployment: boolean): void {
  const spec = isJsonObject(obj.spec) ? obj.spec : (obj.spec = {});
  setDefault(spec, 'replicas', 1);
  if (deployment) {
    setDefault(spec, 'strategy', { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } });
    setDefault(spec, 'revisionHistoryLimit', 10);
    setDefault(spec, 'progressDeadlineSeconds', 600);
  }
  if (isJsonObject(spec.template)) defaultPodSpec(spec.template.spec ?? null);
}

function defaultService(obj: JsonObject, allocateClusterIP: () => string): void {
  const spec = isJsonObject(obj.spec) ? obj.spec : (obj.spec = {});
  setDefault(spec, 'type', 'ClusterIP');
  setDefault(spec, 'sessionAffinity', 'None');
  setDefault(spec, 'internalTrafficPolicy', 'Cluster');
  if (spec.clusterIP === undefined || spec.clusterIP === '') spec.clusterIP = allocateClusterIP();
  setDefault(spec, 'clusterIPs', [spec.clusterIP]);
  setDefault(spec, 'ipFamilies', ['IPv4']);
  setDefault(spec, 'ipFamilyPolicy', 'SingleStack');
  if (Array.isArray(spec.ports)) {
    for (const p of spec.ports) {
      if (!isJsonObject(p)) continue;
      setDefault(p, 'protocol', 'TCP');
      if (p.port !== undefined) setDefault(p, 'targetPort', p.port);
    }
  }
}

/** Folds a Secret's write-only stringData into data (base64), as the apiserver does. */
function defaultSecret(obj: JsonObject): void {
  setDefault(obj, 'type', 'Opaque');
  if (isJsonObject(obj.stringData)) {
    const data = isJsonObject(obj.data) ? obj.data : (obj.data = {});
    for (const [k, v] of Object.entries(obj.stringData)) data[k] = Buffer.from(toText(v)).toString('base64');
    delete obj.stringData;
  }
}

export interface DefaultingContext {
  allocateClusterIP: () => string;
}

/** Applies the defaults of a built-in kind (in place). `isCreate` also sets the initial status. */
export function applyBuiltinDefaults(resource: string, obj: JsonObject, isCreate: boolean, ctx: DefaultingContext): void {
  switch (resource) {
    case 'namespaces': {
      const spec = isJsonObject(obj.spec) ? obj.spec : (obj.spec = {});
      if (isCreate) {
        setDefault(spec, 'finalizers', ['kubernetes']);
        obj.status = { phase: 'Active' };
      }
      // As the apiserver (1.21+) does on every write: webhooks' namespaceSelectors match namespaces by name with it.
      const metadata = isJsonObject(obj.metadata) ? obj.metadata : (obj.metadata = {});
      const labels = isJsonObject(metadata.labels) ? metadata.labels : (metadata.labels = {});
      if (typeof metadata.name === 'string') labels['kubernetes.io/metadata.name'] = metadata.name;
      break;
    }
    case 'pods':
      defaultPodSpec(obj.spec ?? null);
      if (isCreate) {
        obj.status = { phase: 'Pending', qosClass: 'BestEffort' };
        // The ServiceAccount admission plugin: pods run as `default` unless told otherwise (no token volume is added).
        if (isJsonObject(obj.spec)) {
          if (typeof obj.spec.serviceAccountName !== 'string' || obj.spec.serviceAccountName === '') {
            obj.spec.serviceAccountName = typeof obj.spec.serviceAccount === 'string' && obj.spec.serviceAccount !== '' ? obj.spec.serviceAccount : 'default';
          }
          setDefault(obj.spec, 'serviceAccount', obj.spec.serviceAccountName);
        }
      }
      break;
    case 'deployments': defaultWorkload(obj, true); break;
    case 'replicasets': defaultWorkload(obj, false); break;
    case 'services': defaultService(obj, ctx.allocateClusterIP); if (isCreate) obj.status = { loadBalancer: {} }; break;
    case 'secrets': defaultSecret(obj); break;
    case 'mutatingwebhookconfigurations': applyWebhookConfigurationDefaults(obj, true); break;
    case 'validatingwebhookconfigurations': applyWebhookConfigurationDefaults(obj, false); break;
    default: break;
  }
}
