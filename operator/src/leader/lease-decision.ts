// Leader election over a coordination.k8s.io/v1 Lease: given the Lease as read, the local clock and our identity,
// decide whether to acquire it, renew it, wait for it, or whether we lost it (client-go's rules). Pure.

/** The Lease spec fields leader election uses (MicroTime strings as the API returns them). */
export interface LeaseSpec {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions?: number;
}

export interface LeaseDecisionInputs {
  /** The Lease's spec; undefined when the Lease does not exist. */
  spec: LeaseSpec | undefined;
  /**
   * When this replica first saw the Lease with its current holder and renewTime. Expiry is measured from this local
   * observation, not from renewTime, so clocks of different machines never need to agree (as client-go does).
   */
  observedAt: Date;
  now: Date;
  identity: string;
  leaseDurationSeconds: number;
  /** Whether we think we are leading now. */
  leading: boolean;
}

export type LeaseDecision =
  /** Take the Lease (it is absent, released or expired): write `spec`. */
  | { kind: 'acquire'; spec: LeaseSpec }
  /** We hold it: write `spec` with a new renewTime. */
  | { kind: 'renew'; spec: LeaseSpec }
  /** Someone else holds it and it has not expired. */
  | { kind: 'wait'; holder: string; expiresAt: Date }
  /** We were leading but the Lease names another holder. */
  | { kind: 'lost'; holder: string };

export function decideLease(inputs: LeaseDecisionInputs): LeaseDecision {
  const { spec, identity, now } = inputs;
  const holder = spec?.holderIdentity ?? '';
  if (holder === identity) {
    return { kind: 'renew', spec: { ...spec, holderIdentity: identity, leaseDurationSeconds: inputs.leaseDurationSeconds, renewTime: toMicroTime(now) } };
  }
  if (inputs.leading && holder !== '') return { kind: 'lost', holder };
  if (holder !== '') {
    const duration = spec?.leaseDurationSeconds ?? inputs.leaseDurationSeconds;
    const expiresAt = new Date(inputs.observedAt.getTime() + duration * 1000);
    if (now.getTime() < expiresAt.getTime()) return { kind: 'wait', holder, expiresAt };
  }
  const transitions = spec?.leaseTransitions ?? 0;
  return {
    kind: 'acquire',
    spec: {
      holderIdentity: identity,
      leaseDurationSeconds: inputs.leaseDurationSeconds,
      acquireTime: toMicroTime(now),
      renewTime: toMicroTime(now),
      // A first Lease starts at 0; every change of holder counts one transition.
      leaseTransitions: spec === undefined ? 0 : transitions + 1,
    },
  };
}

/** The spec a leader writes on a clean stop, so another replica can take over at once (as client-go's ReleaseOnCancel). */
export function buildReleasedSpec(spec: LeaseSpec, now: Date): LeaseSpec {
  return { ...spec, holderIdentity: '', leaseDurationSeconds: 1, acquireTime: toMicroTime(now), renewTime: toMicroTime(now) };
}

/** What identifies one observation of the Lease: a new holder or renewTime restarts the expiry clock. */
export function observationKey(spec: LeaseSpec | undefined): string {
  return spec === undefined ? '' : `${spec.holderIdentity ?? ''}\u0000${spec.renewTime ?? ''}`;
}

/** metav1.MicroTime: RFC 3339 with microseconds. */
export function toMicroTime(date: Date): string {
  return date.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}
