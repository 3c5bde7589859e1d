// The WebSocketGateway status as written to the /status subresource (SPEC B2; schema in crds/). Types only.

export type ConditionStatus = 'True' | 'False' | 'Unknown';

/** metav1.Condition */
export interface Condition {
  type: string;
  status: ConditionStatus;
  observedGeneration: number;
  lastTransitionTime: string;
  reason: string;
  message: string;
}

export interface PodGatewayStatus {
  name: string;
  injected: boolean;
  ready: boolean;
  connections?: number;
  users?: number;
  configHash?: string;
  /** Why the gateway is not ready. */
  message?: string;
}

export interface GatewayStatus {
  observedGeneration: number;
  replicas: number;
  injectedReplicas: number;
  readyReplicas: number;
  /** "readyReplicas/replicas" for the Ready printer column. */
  readyText: string;
  outdatedReplicas: number;
  connections: number;
  users: number;
  pods: PodGatewayStatus[];
  lastSampleTime: string;
  conditions: Condition[];
}
