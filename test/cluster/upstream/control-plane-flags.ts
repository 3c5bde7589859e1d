// Pure: the command lines of etcd, kube-apiserver, kube-controller-manager and kube-scheduler for one local cluster.
// Everything listens on 127.0.0.1; the files named here are written by control-plane.ts under <dir>/pki and <dir>/*.kubeconfig.
import { join } from 'node:path';
import type { ClusterNetwork } from './cluster-network.ts';

export interface ControlPlanePorts {
  readonly etcdClient: number;
  readonly etcdPeer: number;
  readonly apiserver: number;
  readonly controllerManager: number;
  readonly scheduler: number;
}

export interface ControlPlaneLayout {
  readonly dir: string;
  readonly ports: ControlPlanePorts;
  readonly network: ClusterNetwork;
  /** Run kube-apiserver with an audit log (`auditLog` and `auditPolicy` of controlPlaneFiles). */
  readonly auditLog?: boolean;
}

/** Where each file lives: one place, so the writer and the flags cannot disagree. */
export function controlPlaneFiles(dir: string) {
  const pki = join(dir, 'pki');
  return {
    pki,
    etcdData: join(dir, 'etcd'),
    logs: join(dir, 'logs'),
    caCert: join(pki, 'ca.crt'),
    caKey: join(pki, 'ca.key'),
    apiserverCert: join(pki, 'apiserver.crt'),
    apiserverKey: join(pki, 'apiserver.key'),
    kubeletClientCert: join(pki, 'apiserver-kubelet-client.crt'),
    kubeletClientKey: join(pki, 'apiserver-kubelet-client.key'),
    frontProxyCaCert: join(pki, 'front-proxy-ca.crt'),
    frontProxyClientCert: join(pki, 'front-proxy-client.crt'),
    frontProxyClientKey: join(pki, 'front-proxy-client.key'),
    serviceAccountKey: join(pki, 'sa.key'),
    serviceAccountPub: join(pki, 'sa.pub'),
    adminKubeconfig: join(dir, 'kubeconfig'),
    controllerManagerKubeconfig: join(dir, 'controller-manager.kubeconfig'),
    schedulerKubeconfig: join(dir, 'scheduler.kubeconfig'),
    auditLog: join(dir, 'logs', 'audit.log'),
    auditPolicy: join(dir, 'audit-policy.yaml'),
  } as const;
}

/** The issuer pods' tokens carry; the apiserver serves its discovery document. */
export const SERVICE_ACCOUNT_ISSUER = 'https://kubernetes.default.svc.cluster.local';
export const FRONT_PROXY_CLIENT_NAME = 'front-proxy-client';

/**
 * The audit policy of a cluster started with `auditLog`: every request at Metadata (who, verb, object, response code;
 * no bodies), once per request (RequestReceived is left out, so each request has one ResponseComplete event).
 */
export const AUDIT_POLICY_YAML = [
  'apiVersion: audit.k8s.io/v1',
  'kind: Policy',
  'omitStages: ["RequestReceived"]',
  'rules:',
  '  - level: Metadata',
  '',
].join('\n');

export function buildEtcdArgs(layout: ControlPlaneLayout): string[] {
  const files = controlPlaneFiles(layout.dir);
  const client = `http://127.0.0.1:${layout.ports.etcdClient}`;
  const peer = `http://127.0.0.1:${layout.ports.etcdPeer}`;
  return [
    '--name=local',
    `--data-dir=${files.etcdData}`,
    `--listen-client-urls=${client}`,
    `--advertise-client-urls=${client}`,
    `--listen-peer-urls=${peer}`,
    `--initial-advertise-peer-urls=${peer}`,
    `--initial-cluster=local=${peer}`,
    '--initial-cluster-state=new',
    // A test cluster's data is thrown away: no fsync keeps etcd fast on slow disks (envtest and kind do the same).
    '--unsafe-no-fsync=true',
    '--log-level=warn',
  ];
}

export function buildApiserverArgs(layout: ControlPlaneLayout): string[] {
  const files = controlPlaneFiles(layout.dir);
  return [
    `--etcd-servers=http://127.0.0.1:${layout.ports.etcdClient}`,
    '--bind-address=127.0.0.1',
    `--secure-port=${layout.ports.apiserver}`,
    // The address the `kubernetes` Service's endpoints carry: where pods reach the API server (the node agent forwards it).
    `--advertise-address=${layout.network.hostIp}`,
    `--tls-cert-file=${files.apiserverCert}`,
    `--tls-private-key-file=${files.apiserverKey}`,
    `--client-ca-file=${files.caCert}`,
    '--authorization-mode=Node,RBAC',
    '--enable-admission-plugins=NodeRestriction',
    `--service-cluster-ip-range=${layout.network.serviceCidr}`,
    `--service-account-issuer=${SERVICE_ACCOUNT_ISSUER}`,
    `--service-account-key-file=${files.serviceAccountPub}`,
    `--service-account-signing-key-file=${files.serviceAccountKey}`,
    `--api-audiences=${SERVICE_ACCOUNT_ISSUER}`,
    // Webhooks configured with a Service are dialled at its endpoints' addresses (there is no kube-proxy here).
    '--enable-aggregator-routing=true',
    `--kubelet-client-certificate=${files.kubeletClientCert}`,
    `--kubelet-client-key=${files.kubeletClientKey}`,
    `--kubelet-certificate-authority=${files.caCert}`,
    '--kubelet-preferred-address-types=InternalIP',
    // The fault proxy (and only it) authenticates clients for the apiserver through request headers, like the aggregator.
    `--requestheader-client-ca-file=${files.frontProxyCaCert}`,
    `--requestheader-allowed-names=${FRONT_PROXY_CLIENT_NAME}`,
    '--requestheader-username-headers=X-Remote-User',
    '--requestheader-group-headers=X-Remote-Group',
    '--requestheader-extra-headers-prefix=X-Remote-Extra-',
    `--proxy-client-cert-file=${files.frontProxyClientCert}`,
    `--proxy-client-key-file=${files.frontProxyClientKey}`,
    '--allow-privileged=true',
    // Events live an hour by default; tests read them within seconds.
    '--event-ttl=10m',
    '--profiling=false',
    '-v=1',
    ...(layout.auditLog === true
      ? [`--audit-log-path=${files.auditLog}`, `--audit-policy-file=${files.auditPolicy}`, '--audit-log-format=json', '--audit-log-mode=blocking']
      : []),
  ];
}

/** The controllers the operator's behaviour depends on, and nothing that needs a cloud, volumes or CSRs. */
export const CONTROLLERS = [
  'deployment-controller',
  'replicaset-controller',
  'garbage-collector-controller',
  'namespace-controller',
  'serviceaccount-controller',
  'serviceaccount-token-controller',
  'endpointslice-controller',
  'endpointslice-mirroring-controller',
  'endpoints-controller',
  'root-ca-certificate-publisher-controller',
  'clusterrole-aggregation-controller',
  'service-cidr-controller',
  'pod-garbage-collector-controller',
  'node-lifecycle-controller',
  'disruption-controller',
  'job-controller',
  'ttl-after-finished-controller',
] as const;

export function buildControllerManagerArgs(layout: ControlPlaneLayout): string[] {
  const files = controlPlaneFiles(layout.dir);
  return [
    `--kubeconfig=${files.controllerManagerKubeconfig}`,
    `--authentication-kubeconfig=${files.controllerManagerKubeconfig}`,
    `--authorization-kubeconfig=${files.controllerManagerKubeconfig}`,
    '--bind-address=127.0.0.1',
    `--secure-port=${layout.ports.controllerManager}`,
    `--controllers=${CONTROLLERS.join(',')}`,
    // Each controller acts as its own ServiceAccount, so RBAC is exercised as on a real cluster.
    '--use-service-account-credentials=true',
    `--service-account-private-key-file=${files.serviceAccountKey}`,
    `--root-ca-file=${files.caCert}`,
    `--cluster-cidr=${layout.network.podCidr}`,
    `--service-cluster-ip-range=${layout.network.serviceCidr}`,
    '--leader-elect=false',
    '--profiling=false',
    '-v=1',
  ];
}

export function buildSchedulerArgs(layout: ControlPlaneLayout): string[] {
  const files = controlPlaneFiles(layout.dir);
  return [
    `--kubeconfig=${files.schedulerKubeconfig}`,
    `--authentication-kubeconfig=${files.schedulerKubeconfig}`,
    `--authorization-kubeconfig=${files.schedulerKubeconfig}`,
    '--bind-address=127.0.0.1',
    `--secure-port=${layout.ports.scheduler}`,
    '--leader-elect=false',
    '--profiling=false',
    '-v=1',
  ];
}
