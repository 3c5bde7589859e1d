// The value sets the chart tests render: the defaults and each example values file under test/chart/values. Pure.
import type { RenderOptions } from './support/render-chart.ts';

export interface Scenario {
  name: string;
  options: RenderOptions;
}

export const SCENARIOS: Scenario[] = [
  { name: 'default values', options: {} },
  { name: 'cert-manager (self-signed CA chain)', options: { valuesFiles: ['cert-manager.yaml'] } },
  { name: 'cert-manager (admin issuer)', options: { valuesFiles: ['cert-manager-issuer.yaml'] } },
  { name: 'Redis', options: { valuesFiles: ['redis.yaml'] } },
  { name: 'NetworkPolicy', options: { valuesFiles: ['network-policy.yaml'] } },
  { name: 'per-app NetworkPolicy for the gateway port', options: { valuesFiles: ['gateway-network-policy.yaml'] } },
  { name: 'one namespace', options: { valuesFiles: ['one-namespace.yaml'] } },
  { name: 'production-like', options: { valuesFiles: ['production.yaml'] } },
  { name: 'single replica, other release name and namespace', options: { releaseName: 'ws', namespace: 'platform', set: ['replicaCount=1'] } },
];
