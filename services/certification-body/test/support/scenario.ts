import { expect } from 'vitest';
import type { PostureCallbackClaims, ScopeDecisionClaims } from '@cabc/contracts';
import type { CertificationFixture } from './certification-app.ts';
import {
  bearer,
  postCallback,
  postureClaims,
  scopeClaims,
  signedCallback,
  signedScopeDecision,
} from './certification-app.ts';

/**
 * Drives a certification body the way the auditor does: scope decisions and posture callbacks, each signed with the
 * trusted auditor key, with a per-ToE sequence like the assessment service keeps.
 */
export function auditor(fixture: CertificationFixture) {
  const sequences = new Map<string, number>();
  const nextSequence = (toe: string) => {
    const next = (sequences.get(toe) ?? 0) + 1;
    sequences.set(toe, next);
    return next;
  };

  return {
    async scope(overrides: Partial<ScopeDecisionClaims>) {
      const response = await postCallback(
        fixture.app,
        'scope',
        await signedScopeDecision(scopeClaims(overrides), fixture.auditorKey),
      );
      expect(response.statusCode, response.body).toBe(200);
      return response.json() as {
        outcome: string;
        certificationId: string | null;
        certificateId: string | null;
        state: string | null;
        detail: string;
      };
    },
    approve(toe: string, scopeVersion = 1, overrides: Partial<ScopeDecisionClaims> = {}) {
      return this.scope({ toe, scopeVersion, type: 'scope.approved', ...overrides });
    },
    /** Sends a posture; `expectStatus` other than 200 returns the raw response. */
    async postureRaw(
      toe: string,
      posture: PostureCallbackClaims['posture'],
      overrides: Partial<PostureCallbackClaims> = {},
    ) {
      const claims = postureClaims({ toe, posture, sequence: nextSequence(toe), ...overrides });
      return postCallback(fixture.app, 'assessment', await signedCallback(claims, fixture.auditorKey));
    },
    async posture(
      toe: string,
      posture: PostureCallbackClaims['posture'],
      overrides: Partial<PostureCallbackClaims> = {},
    ) {
      const response = await this.postureRaw(toe, posture, overrides);
      expect(response.statusCode, response.body).toBe(200);
      return response.json() as { outcome: string; certificateId: string | null; state: string; detail: string };
    },
  };
}

/**
 * GET with a bearer token: a certification body operator working on acme (the organization `scopeClaims` approves for)
 * unless told otherwise. Every token is scoped to one organization.
 */
export async function getAs(
  fixture: CertificationFixture,
  url: string,
  role: Parameters<typeof bearer>[0] = 'certification_body',
  org = 'acme',
) {
  return fixture.app.inject({ method: 'GET', url, headers: await bearer(role, org) });
}

/** A certificate with its history, read with a certification body token of its organization (acme unless told otherwise). */
export async function certificateOf(fixture: CertificationFixture, id: string, org = 'acme') {
  const response = await getAs(fixture, `/v1/certificates/${id}`, 'certification_body', org);
  expect(response.statusCode, response.body).toBe(200);
  return response.json() as {
    id: string;
    state: string;
    status: string;
    reasonCode: number;
    reason: string;
    org: string;
    scopeVersion: number;
    expiresAt: string;
    revokedAt: string | null;
    token: string;
    history: {
      from: string;
      to: string;
      reasonCode: number;
      reason: string;
      cause: { kind: string; ref: string };
      at: string;
    }[];
  };
}

export const DAY = 86_400_000;
