import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { signJwt } from '@cabc/crypto';
import { UnprocessableProblem } from '@cabc/http-kit';
import type { CollectorKeys } from '../keys/collector-keys.ts';

/** Must match the assessment's collector-approvals route. */
const TYP = 'cabc-collector-approvals+jwt';
const AUDIENCE = 'cabc-assessment';
/**
 * A ToE missing from the cached list is asked about again, by a question that starts after the push arrived (so a
 * ToE approved a moment ago is accepted), but questions start at most this often (bounds what hostile pushes cost).
 */
const MIN_ASK_SPACING_MS = 200;
/** The question is on the push path: an assessment that does not answer at once is treated as unavailable. */
const REQUEST_TIMEOUT_MS = 1_000;
/** After the assessment could not be asked, pushes are accepted without asking for this long. */
const UNAVAILABLE_RETRY_MS = 5_000;

type Answer = { kind: 'known'; toes: ReadonlySet<string> } | { kind: 'unavailable' };

/**
 * Which ToEs the assessment trusts this collector's keys for, learned from the assessment itself (POST
 * /v1/collector-approvals with one token per key, signed by that key) and cached for `ttlMs`. Evidence for a ToE
 * that none of the keys is approved for is refused at once (422 naming `toe`) instead of being signed, stored and
 * rejected at delivery. When the assessment cannot be asked, the push is accepted: the outbox delivers later, and the
 * assessment still refuses what it does not trust (durability first; docs/collector.md).
 */
export function createToeApprovals(deps: {
  assessmentUrl: string;
  keys: Pick<CollectorKeys, 'list' | 'signingKeys'>;
  ttlMs: number;
  logger: Logger;
  now?: () => number;
}) {
  const now = deps.now ?? Date.now;
  const url = new URL('/v1/collector-approvals', deps.assessmentUrl).toString();
  let cached: { answer: Answer; askedAt: number } | undefined;
  let asking: { startedAt: number; answer: Promise<Answer> } | undefined;
  let lastAskAt = Number.NEGATIVE_INFINITY;
  let lastState: Answer['kind'] | undefined;

  async function ask(): Promise<Answer> {
    try {
      const keys = await deps.keys.signingKeys();
      const iat = Math.floor(now() / 1000);
      const tokens = await Promise.all(
        keys.map((key) => signJwt({ aud: AUDIENCE, iat, exp: iat + 60, jti: randomUUID() }, key, { typ: TYP })),
      );
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ tokens }),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
      // 401: the assessment verified nothing, so no scope lists any of our keys.
      if (response.status === 401) return { kind: 'known', toes: new Set() };
      if (!response.ok) throw new Error(`the assessment answered ${response.status}`);
      const body = (await response.json()) as { toes?: unknown };
      if (!Array.isArray(body.toes)) throw new Error('the assessment answered without a list of ToEs');
      return { kind: 'known', toes: new Set(body.toes.map(String)) };
    } catch (error) {
      if (lastState !== 'unavailable')
        deps.logger.warn(
          { err: error instanceof Error ? error.message : String(error) },
          'cannot learn the approved ToEs from the assessment; accepting evidence until it answers',
        );
      return { kind: 'unavailable' };
    }
  }

  /** An answer to a question that started at or after `arrival`: joins one under way, else starts the next. */
  async function answerSince(arrival: number): Promise<Answer> {
    for (;;) {
      if (asking && asking.startedAt >= arrival) return asking.answer;
      if (asking) {
        await asking.answer;
        continue;
      }
      const wait = lastAskAt + MIN_ASK_SPACING_MS - now();
      if (wait > 0) {
        await new Promise((resolve) => setTimeout(resolve, wait));
        continue;
      }
      lastAskAt = now();
      const started = {
        startedAt: lastAskAt,
        answer: ask().then((answer) => {
          if (lastState === 'unavailable' && answer.kind === 'known') deps.logger.info('the assessment answers again');
          lastState = answer.kind;
          cached = { answer, askedAt: started.startedAt };
          asking = undefined;
          return answer;
        }),
      };
      asking = started;
      return started.answer;
    }
  }

  async function current(toe: string): Promise<Answer> {
    const arrival = now();
    if (cached?.answer.kind === 'known' && cached.answer.toes.has(toe) && arrival - cached.askedAt < deps.ttlMs)
      return cached.answer;
    if (cached?.answer.kind === 'unavailable' && arrival - cached.askedAt < UNAVAILABLE_RETRY_MS) return cached.answer;
    return answerSince(arrival);
  }

  return {
    /** Throws 422 naming `toe` when the assessment has said that none of this collector's keys may sign for it. */
    async assertApproved(toe: string, field = 'toe'): Promise<void> {
      const answer = await current(toe);
      if (answer.kind === 'known' && !answer.toes.has(toe)) {
        throw new UnprocessableProblem(
          'toe-not-approved',
          'The ToE does not trust this collector',
          `no scope of ToE "${toe}" at the assessment lists a key of this collector; nothing was stored`,
          [{ field, message: 'not a ToE this collector is approved for' }],
        );
      }
    },
  };
}

export type ToeApprovals = ReturnType<typeof createToeApprovals>;
