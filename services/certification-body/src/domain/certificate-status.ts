import type { CertificateState } from './certificate-states.ts';
import { REASON_CODES, type ReasonName } from './reason-codes.ts';

import type { PublicStatus } from '@cabc/contracts';

export { publicStatuses, type PublicStatus } from '@cabc/contracts';

export type StatusView = {
  readonly status: Exclude<PublicStatus, 'unknown'>;
  readonly reasonCode: number;
  /** The moment the status began: the last transition, or the end of validity when expiry is not recorded yet. */
  readonly since: Date;
};

/**
 * The status a certificate has at `now`. A live certificate past its validity is `expired` even before the
 * scheduler recorded the expiry, so no answer ever calls a certificate good after `expiresAt`.
 */
export function certificateStatusAt(
  certificate: {
    readonly state: CertificateState;
    readonly expiresAt: Date;
    readonly reasonCode: number;
    readonly updatedAt: Date;
  },
  now: Date,
): StatusView {
  const live = certificate.state === 'issued' || certificate.state === 'suspended';
  if (live && now.getTime() >= certificate.expiresAt.getTime()) {
    return { status: 'expired', reasonCode: REASON_CODES.validity_ended, since: certificate.expiresAt };
  }
  const status = certificate.state === 'issued' ? 'good' : certificate.state;
  return { status, reasonCode: certificate.reasonCode, since: certificate.updatedAt };
}

const reasonNames = new Map<number, ReasonName>(
  Object.entries(REASON_CODES).map(([name, code]) => [code, name as ReasonName]),
);

/** The name of a pinned reason code; unknown numbers read as `unspecified`. */
export function reasonName(code: number): ReasonName {
  return reasonNames.get(code) ?? 'unspecified';
}
