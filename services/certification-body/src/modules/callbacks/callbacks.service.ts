import { decodeJwt } from 'jose';
import { POSTURE_CALLBACK_TYP, postureCallbackClaimsSchema } from '@cabc/contracts';
import type { JwtVerifier } from '@cabc/crypto';
import { HttpProblem, UnprocessableProblem } from '@cabc/http-kit';
import type { CertificationRepository } from '../certifications/certification.repository.ts';
import type { CertificationService, DecisionOutcome } from '../certifications/certification.service.ts';
import type { ReceivedCallbacksRepository } from './received-callbacks.repository.ts';

export interface CallbackAnswer {
  outcome: DecisionOutcome['outcome'] | 'duplicate';
  jti: string;
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

export function createCallbacksService(deps: {
  verify: JwtVerifier;
  audience: string;
  auditorIssuer: string;
  maxAgeMs: number;
  received: ReceivedCallbacksRepository;
  certifications: CertificationRepository;
  certification: CertificationService;
}) {
  /** Refusals are recorded too (without a jti claim of their own, so a forgery cannot block the real message). */
  async function refuse(token: string, problem: HttpProblem): Promise<never> {
    await deps.received.record({
      jti: null,
      toe: null,
      sequence: null,
      outcome: 'refused',
      detail: `${problem.title}: ${problem.message} (claimed jti ${unverifiedJti(token) ?? 'none'})`,
      token: token.slice(0, 8192),
    });
    throw problem;
  }

  return {
    async receive(token: string): Promise<CallbackAnswer> {
      let payload: unknown;
      try {
        payload = await deps.verify(token, {
          audience: deps.audience,
          issuer: deps.auditorIssuer,
          typ: POSTURE_CALLBACK_TYP,
          maxTokenAge: Math.floor(deps.maxAgeMs / 1000),
        });
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        return refuse(token, new HttpProblem(401, 'invalid-callback-signature', 'Callback not verified', reason, {
          fields: [{ field: 'body', message: reason }],
        }));
      }
      const claims = postureCallbackClaimsSchema.safeParse(payload);
      if (!claims.success) {
        const fields = claims.error.issues.map((issue) => ({ field: ['claims', ...issue.path.map(String)].join('.'), message: issue.message }));
        return refuse(token, new UnprocessableProblem('invalid-callback', 'Invalid callback', fields.map((f) => `${f.field}: ${f.message}`).join('; '), fields));
      }
      const { jti, toe, sequence } = claims.data;
      return deps.certifications.transaction(async (trx) => {
        const fresh = await deps.received.record({ jti, toe, sequence, outcome: 'received', detail: '', token }, trx);
        if (!fresh) {
          return { outcome: 'duplicate' as const, jti, certificateId: null, state: null, detail: 'this callback was already applied' };
        }
        const outcome = await deps.certification.applyPosture(claims.data, trx);
        await deps.received.setOutcome(jti, outcome.outcome, outcome.detail, trx);
        return { ...outcome, jti };
      });
    },
  };
}

export type CallbacksService = ReturnType<typeof createCallbacksService>;
