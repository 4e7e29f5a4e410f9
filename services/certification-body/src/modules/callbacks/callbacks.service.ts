import { decodeJwt, errors } from 'jose';
import type { z } from 'zod';
import {
  POSTURE_CALLBACK_TYP,
  postureCallbackClaimsSchema,
  SCOPE_DECISION_TYP,
  scopeDecisionClaimsSchema,
} from '@cabc/contracts';
import type { JwtVerifier } from '@cabc/crypto';
import { HttpProblem, UnprocessableProblem } from '@cabc/http-kit';
import { inSpan } from '@cabc/service-kit';
import type { CertificationService } from '../certifications/certification.service.ts';
import type { CheckpointCheck } from '../ledger-check/checkpoint-check.ts';
import type { RunInTransaction, UnitOfWork } from '../common/unit-of-work.ts';
import type { CallbackKind, ReceivedCallbacksRepository } from './received-callbacks.repository.ts';

export interface CallbackAnswer {
  outcome: 'applied' | 'no_change' | 'stale' | 'recorded' | 'duplicate';
  jti: string;
  certificationId?: string | null;
  certificateId: string | null;
  state: string | null;
  detail: string;
}

function unverifiedJti(token: string): string | null {
  try {
    const jti = decodeJwt(token).jti;
    return typeof jti === 'string' ? jti.slice(0, 128) : null;
  } catch {
    return null;
  }
}

/** jose's errors about obtaining the key (not about the message): the key set did not load, or has no key for the `kid`. */
const keyResolutionErrors = new Set([
  'ERR_JOSE_GENERIC',
  'ERR_JWKS_TIMEOUT',
  'ERR_JWKS_INVALID',
  'ERR_JWKS_NO_MATCHING_KEY',
  'ERR_JWKS_MULTIPLE_MATCHING_KEYS',
]);

/**
 * Whether verification failed because the auditor's key could not be had, which a later try may fix (the key set
 * answers again, or a rotated key gets published), rather than because the message is wrong. Anything that is not a
 * jose error (the key set fetch failed: connection refused, DNS, reset) is such a failure too.
 */
function isKeyUnavailable(error: unknown): boolean {
  return !(error instanceof errors.JOSEError) || keyResolutionErrors.has(error.code);
}

/**
 * Whether the signature held but the signing time is outside the accepted window (too old, or ahead of this clock
 * beyond the tolerance). Never permanent: the auditor signs again at every attempt, so a later try is fresh.
 */
function isFreshnessFailure(error: unknown): boolean {
  if (!(error instanceof errors.JOSEError)) return false;
  if (error.code === 'ERR_JWT_EXPIRED') return true;
  return (
    error instanceof errors.JWTClaimValidationFailed &&
    (error.claim === 'iat' || error.claim === 'nbf') &&
    error.reason === 'check_failed'
  );
}

/**
 * The ledger cross-check guards favourable decisions only. A posture against the certificate (anything but compliant
 * without a failed critical requirement) is applied even when its checkpoint is refused (the alert is recorded all
 * the same): otherwise a rewritten ledger, or one that cannot answer, would keep a failing ToE's certificate issued.
 */
function failClosed(check: CheckpointCheck): CheckpointCheck {
  return async (claims) => {
    try {
      await check(claims);
    } catch (error) {
      const favourable = claims.posture === 'compliant' && !claims.criticalFailed;
      if (favourable || !(error instanceof HttpProblem)) throw error;
    }
  };
}

/** Seconds the auditor's outbox is asked to wait before it signs and sends a refused-as-not-fresh callback again. */
const NOT_FRESH_RETRY_AFTER_SECONDS = 30;

/** What one callback route needs: its JWS `typ`, its claims schema and what to do with verified claims. */
interface CallbackKindSpec<S extends z.ZodType<{ jti: string; toe: string }>> {
  kind: CallbackKind;
  typ: string;
  schema: S;
  /** Columns of the received_callbacks record. */
  describe: (claims: z.output<S>) => { scopeVersion: number | null; sequence: number | null };
  /** Checks the verified claims need before they are applied (throws an HttpProblem to refuse them). */
  check?: ((claims: z.output<S>) => Promise<void>) | undefined;
  apply: (claims: z.output<S>, uow: UnitOfWork) => Promise<Omit<CallbackAnswer, 'jti'>>;
}

export function createCallbacksService(deps: {
  verify: JwtVerifier;
  audience: string;
  auditorIssuer: string;
  maxAgeMs: number;
  /** Clock difference allowed between the auditor and this service on the callback's iat (CALLBACK_CLOCK_TOLERANCE). */
  clockToleranceMs: number;
  received: ReceivedCallbacksRepository;
  certification: CertificationService;
  runInTransaction: RunInTransaction;
  /** Cross-checks a posture callback's ledger checkpoint with the auditor's ledger (off when absent). */
  checkLedger?: CheckpointCheck | undefined;
}) {
  /**
   * Refusals are recorded too, without a jti of their own, so that neither a forgery nor a callback refused for now
   * (e.g. its certification is not open yet) can block the genuine message from being accepted later.
   */
  async function refuse(
    kind: CallbackKind,
    token: string,
    problem: HttpProblem,
    known: { toe?: string; scopeVersion?: number | null; sequence?: number } = {},
  ): Promise<never> {
    await deps.received.record({
      kind,
      jti: null,
      toe: known.toe ?? null,
      scopeVersion: known.scopeVersion ?? null,
      sequence: known.sequence ?? null,
      outcome: problem.status >= 500 ? 'unavailable' : 'refused',
      detail: `${problem.title}: ${problem.message} (claimed jti ${unverifiedJti(token) ?? 'none'})`,
      token: token.slice(0, 8192),
    });
    throw problem;
  }

  /** The one path every callback takes: signature, audience, issuer, typ, age → claims → replay check → apply, in one transaction. */
  function receiver<S extends z.ZodType<{ jti: string; toe: string }>>(spec: CallbackKindSpec<S>) {
    return async (token: string): Promise<CallbackAnswer> => {
      let payload: unknown;
      try {
        payload = await deps.verify(token, {
          audience: deps.audience,
          issuer: deps.auditorIssuer,
          typ: spec.typ,
          maxTokenAge: Math.floor(deps.maxAgeMs / 1000),
          clockTolerance: Math.floor(deps.clockToleranceMs / 1000),
        });
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        if (isKeyUnavailable(error)) {
          // 503 keeps the auditor's outbox retrying: a 401 would make it give the message up for good.
          const detail = `the auditor's signing key could not be obtained (${reason}); send the callback again later`;
          return refuse(
            spec.kind,
            token,
            new HttpProblem(503, 'callback-key-unavailable', 'Callback verification unavailable', detail),
          );
        }
        if (isFreshnessFailure(error)) {
          // 503, not 401: a freshness failure is never permanent (docs/verification.md, "Callbacks").
          const detail = `${reason}: the callback's signing time is outside the accepted window; sign it again and resend`;
          return refuse(
            spec.kind,
            token,
            new HttpProblem(503, 'callback-not-fresh', 'Callback not fresh', detail, {
              fields: [{ field: 'claims.iat', message: reason }],
              extensions: { retryAfter: NOT_FRESH_RETRY_AFTER_SECONDS },
            }),
          );
        }
        return refuse(
          spec.kind,
          token,
          new HttpProblem(401, 'invalid-callback-signature', 'Callback not verified', reason, {
            fields: [{ field: 'body', message: reason }],
          }),
        );
      }
      const parsed = spec.schema.safeParse(payload);
      if (!parsed.success) {
        const fields = parsed.error.issues.map((issue) => ({
          field: ['claims', ...issue.path.map(String)].join('.'),
          message: issue.message,
        }));
        return refuse(
          spec.kind,
          token,
          new UnprocessableProblem(
            'invalid-callback',
            'Invalid callback',
            fields.map((f) => `${f.field}: ${f.message}`).join('; '),
            fields,
          ),
        );
      }
      const claims = parsed.data;
      const { scopeVersion, sequence } = spec.describe(claims);
      try {
        await spec.check?.(claims);
      } catch (error) {
        if (!(error instanceof HttpProblem)) throw error;
        return refuse(spec.kind, token, error, {
          toe: claims.toe,
          scopeVersion,
          ...(sequence !== null ? { sequence } : {}),
        });
      }
      try {
        return await deps.runInTransaction(async (uow) => {
          const fresh = await deps.received.record(
            {
              kind: spec.kind,
              jti: claims.jti,
              toe: claims.toe,
              scopeVersion,
              sequence,
              outcome: 'received',
              detail: '',
              token,
            },
            uow.trx,
          );
          if (!fresh) {
            return {
              outcome: 'duplicate' as const,
              jti: claims.jti,
              certificateId: null,
              state: null,
              detail: 'this callback was already applied',
            };
          }
          const answer = await inSpan(
            `certification decide ${spec.kind}`,
            { service: 'certification-body', attributes: { 'cabc.toe': claims.toe } },
            () => spec.apply(claims, uow),
          );
          await deps.received.setOutcome(claims.jti, answer.outcome, answer.detail, uow.trx);
          return { ...answer, jti: claims.jti };
        });
      } catch (error) {
        // A refusal decided after verification (unknown certification) rolled the transaction back; record it apart.
        if (error instanceof HttpProblem && error.status < 500) {
          return refuse(spec.kind, token, error, {
            toe: claims.toe,
            scopeVersion,
            ...(sequence !== null ? { sequence } : {}),
          });
        }
        throw error;
      }
    };
  }

  return {
    /** A posture callback (`typ` cabc-posture+jwt). */
    receive: receiver({
      kind: 'posture',
      typ: POSTURE_CALLBACK_TYP,
      schema: postureCallbackClaimsSchema,
      describe: (claims) => ({ scopeVersion: claims.scopeVersion, sequence: claims.sequence }),
      check: deps.checkLedger && failClosed(deps.checkLedger),
      apply: (claims, uow) => deps.certification.applyPosture(claims, uow),
    }),
    /** A scope decision (`typ` cabc-scope+jwt). */
    receiveScopeDecision: receiver({
      kind: 'scope',
      typ: SCOPE_DECISION_TYP,
      schema: scopeDecisionClaimsSchema,
      describe: (claims) => ({ scopeVersion: claims.scopeVersion, sequence: null }),
      apply: (claims, uow) => deps.certification.applyScopeDecision(claims, uow),
    }),
  };
}

export type CallbacksService = ReturnType<typeof createCallbacksService>;
