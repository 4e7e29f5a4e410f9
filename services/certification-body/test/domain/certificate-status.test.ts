import { describe, expect, it } from 'vitest';
import {
  certificateStatusAt,
  publicStatuses,
  reasonName,
  REASON_CODES,
  type CertificateState,
} from '../../src/domain/index.ts';

const issuedAt = new Date('2026-01-01T00:00:00Z');
const expiresAt = new Date('2027-01-01T00:00:00Z');
const updatedAt = new Date('2026-06-01T00:00:00Z');
const certificate = (state: CertificateState, reasonCode: number) => ({
  state,
  expiresAt,
  reasonCode,
  updatedAt,
  issuedAt,
});

describe('certificateStatusAt', () => {
  it.each([
    ['issued', REASON_CODES.compliant_posture, 'good'],
    ['suspended', REASON_CODES.non_compliance, 'suspended'],
    ['revoked', REASON_CODES.grace_period_elapsed, 'revoked'],
    ['expired', REASON_CODES.validity_ended, 'expired'],
    ['withdrawn', REASON_CODES.withdrawn_on_request, 'withdrawn'],
  ] as const)('maps %s to %s, keeping the reason and the time of the transition', (state, reasonCode, status) => {
    expect(certificateStatusAt(certificate(state, reasonCode), new Date('2026-07-01T00:00:00Z'))).toEqual({
      status,
      reasonCode,
      since: updatedAt,
    });
  });

  it.each(['issued', 'suspended'] as const)(
    'calls a live (%s) certificate expired from expiresAt on, inclusive, before any tick',
    (state) => {
      const live = certificate(state, REASON_CODES.compliant_posture);
      expect(certificateStatusAt(live, new Date(expiresAt.getTime() - 1)).status).not.toBe('expired');
      expect(certificateStatusAt(live, expiresAt)).toEqual({
        status: 'expired',
        reasonCode: REASON_CODES.validity_ended,
        since: expiresAt,
      });
    },
  );

  it.each(['revoked', 'withdrawn'] as const)('keeps a %s certificate %s after its validity', (state) => {
    expect(certificateStatusAt(certificate(state, 4), new Date('2030-01-01T00:00:00Z')).status).toBe(state);
  });

  it('names every public status and reason', () => {
    expect(publicStatuses).toEqual(['good', 'suspended', 'revoked', 'expired', 'withdrawn', 'unknown']);
    expect(reasonName(8)).toBe('scope_superseded');
    expect(reasonName(999)).toBe('unspecified');
  });
});
