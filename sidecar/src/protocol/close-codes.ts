// Close codes and reasons the gateway sends (SPEC A2). Pure constants.

export const CloseCode = {
  closedByApp: 1000,
  goingAway: 1001,
  noStatusReceived: 1005,
  abnormal: 1006,
  policyViolation: 1008,
  messageTooBig: 1009,
  internalError: 1011,
  tryAgainLater: 1013,
  idleTimeout: 4408,
} as const;

export interface CloseCause {
  code: number;
  reason: string;
}

export const closeCauses = {
  closedByApp: { code: CloseCode.closedByApp, reason: 'closed by app' },
  shuttingDown: { code: CloseCode.goingAway, reason: 'gateway shutting down' },
  // The ws library sends 1009 itself, without a reason, when a message exceeds maxPayload.
  messageTooBig: { code: CloseCode.messageTooBig, reason: '' },
  internalError: { code: CloseCode.internalError, reason: 'internal error' },
  slowConsumer: { code: CloseCode.tryAgainLater, reason: 'slow consumer' },
  rateLimited: { code: CloseCode.policyViolation, reason: 'inbound rate limit' },
  idleTimeout: { code: CloseCode.idleTimeout, reason: 'idle timeout' },
} as const satisfies Record<string, CloseCause>;
