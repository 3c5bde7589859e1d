// The upstream binaries the local Kubernetes is built from: which wrapper module, which packages, which stamps (pure).
import { join } from 'node:path';

export type UpstreamComponentName = 'kubernetes' | 'etcd' | 'helm';

export interface UpstreamComponent {
  readonly name: UpstreamComponentName;
  /** The folder of our wrapper module (go.mod + go.sum, nothing else). */
  readonly moduleDir: string;
  /** The upstream module whose pinned version names the build (read from the wrapper's go.mod). */
  readonly upstreamModule: string;
  /** Binary name → Go package to build. */
  readonly binaries: Readonly<Record<string, string>>;
  /** `-X` stamps, as a function of the pinned version, so `--version` and `/version` tell the truth. */
  readonly stamps: (version: string) => Readonly<Record<string, string>>;
}

const upstreamDir = import.meta.dirname;

function kubernetesStamps(version: string): Record<string, string> {
  const [major = '1', minor = '0'] = version.replace(/^v/, '').split('.');
  const stamps: Record<string, string> = {};
  for (const pkg of ['k8s.io/component-base/version', 'k8s.io/client-go/pkg/version']) {
    stamps[`${pkg}.gitVersion`] = version;
    stamps[`${pkg}.gitMajor`] = major;
    stamps[`${pkg}.gitMinor`] = minor;
    stamps[`${pkg}.gitTreeState`] = 'clean';
    // A fixed date keeps the build reproducible (and the cache key stable).
    stamps[`${pkg}.buildDate`] = '1970-01-01T00:00:00Z';
  }
  return stamps;
}

function helmStamps(version: string, kubernetesVersion: string): Record<string, string> {
  const [major = '1', minor = '0'] = kubernetesVersion.replace(/^v/, '').split('.');
  return {
    'helm.sh/helm/v3/internal/version.version': version,
    'helm.sh/helm/v3/internal/version.gitTreeState': 'clean',
    // What `helm template` assumes of the cluster when it has none (Helm's Makefile derives it from client-go).
    'helm.sh/helm/v3/pkg/chartutil.k8sVersionMajor': major,
    'helm.sh/helm/v3/pkg/chartutil.k8sVersionMinor': minor,
    'helm.sh/helm/v3/pkg/lint/rules.k8sVersionMajor': major,
    'helm.sh/helm/v3/pkg/lint/rules.k8sVersionMinor': minor,
  };
}

/** Helm's idea of the cluster follows the Kubernetes we test against. */
export const HELM_ASSUMED_KUBERNETES = 'v1.37.2';

export const UPSTREAM_COMPONENTS: Readonly<Record<UpstreamComponentName, UpstreamComponent>> = {
  kubernetes: {
    name: 'kubernetes',
    moduleDir: join(upstreamDir, 'kubernetes'),
    upstreamModule: 'k8s.io/kubernetes',
    binaries: {
      'kube-apiserver': 'k8s.io/kubernetes/cmd/kube-apiserver',
      'kube-controller-manager': 'k8s.io/kubernetes/cmd/kube-controller-manager',
      'kube-scheduler': 'k8s.io/kubernetes/cmd/kube-scheduler',
      kubectl: 'k8s.io/kubernetes/cmd/kubectl',
    },
    stamps: kubernetesStamps,
  },
  etcd: {
    name: 'etcd',
    moduleDir: join(upstreamDir, 'etcd'),
    upstreamModule: 'go.etcd.io/etcd/server/v3',
    binaries: { etcd: 'go.etcd.io/etcd/server/v3' },
    stamps: () => ({}),
  },
  helm: {
    name: 'helm',
    moduleDir: join(upstreamDir, 'helm'),
    upstreamModule: 'helm.sh/helm/v3',
    binaries: { helm: 'helm.sh/helm/v3/cmd/helm' },
    stamps: (version) => helmStamps(version, HELM_ASSUMED_KUBERNETES),
  },
};

/** The version a wrapper go.mod pins for its upstream module, e.g. `require k8s.io/kubernetes v1.37.2`. */
export function pinnedVersion(goMod: string, upstreamModule: string): string {
  const escaped = upstreamModule.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  const match = new RegExp(`^\\s*(?:require\\s+)?${escaped}\\s+(v\\S+)`, 'm').exec(goMod);
  if (!match?.[1]) throw new Error(`go.mod does not require ${upstreamModule} at a version`);
  return match[1];
}

/** The linker flags for a build: stripped, and stamped. */
export function buildLdflags(stamps: Readonly<Record<string, string>>): string {
  return ['-s', '-w', ...Object.entries(stamps).map(([name, value]) => `-X ${name}=${value}`)].join(' ');
}
