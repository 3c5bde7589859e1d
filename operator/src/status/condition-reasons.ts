// Condition types and their CamelCase reasons, the only place they are spelled. Pure.

export const ConditionType = {
  Ready: 'Ready',
  ManifestValid: 'ManifestValid',
  Injected: 'Injected',
} as const;
export type ConditionType = (typeof ConditionType)[keyof typeof ConditionType];

export const ReadyReason = {
  AllGatewaysReady: 'AllGatewaysReady',
  GatewaysNotReady: 'GatewaysNotReady',
  NoPods: 'NoPods',
} as const;

export const ManifestReason = {
  ManifestValid: 'ManifestValid',
  NoWebSocketBlock: 'NoWebSocketBlock',
  ManifestInvalid: 'ManifestInvalid',
  ManifestMissing: 'ManifestMissing',
} as const;

export const InjectedReason = {
  AllPodsInjected: 'AllPodsInjected',
  PodsNotInjected: 'PodsNotInjected',
  /** Every pod without the gateway carries the Olares sidecar instead (left alone by design). */
  OlaresSidecarPresent: 'OlaresSidecarPresent',
  NoPods: 'NoPods',
} as const;
