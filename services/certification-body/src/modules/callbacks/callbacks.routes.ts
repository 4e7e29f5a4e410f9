import { z } from 'zod';
import { signedBodyRoute } from '@cabc/auth';
import { problemResponses, type Server, type ZodTypeProvider } from '@cabc/http-kit';
import type { CallbackAnswer, CallbacksService } from './callbacks.service.ts';

const answerSchema = z.object({
  outcome: z.enum(['applied', 'no_change', 'stale', 'recorded', 'duplicate']),
  jti: z.string(),
  certificationId: z.string().nullable().optional(),
  certificateId: z.string().nullable(),
  state: z.string().nullable(),
  detail: z.string(),
});

const compactJws = z
  .string()
  .min(1)
  .max(65_536)
  .regex(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/, 'expected a compact JWS');

export async function registerCallbackRoutes(app: Server, service: CallbacksService): Promise<void> {
  await app.register(async (scope) => {
    // A compact JWS is the whole body (RFC 7515 media type application/jose; application/jwt accepted too). Nothing
    // else: a JSON body is 415, not a validation error.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser(
      ['application/jose', 'application/jwt'],
      { parseAs: 'string' },
      (_request, body, done) => {
        done(null, (body as string).trim());
      },
    );
    const route = (
      url: string,
      summary: string,
      description: string,
      receive: (token: string) => Promise<CallbackAnswer>,
    ) =>
      scope.withTypeProvider<ZodTypeProvider>().post(
        url,
        {
          config: signedBodyRoute,
          schema: {
            tags: ['callbacks'],
            summary,
            description,
            body: compactJws,
            response: { 200: answerSchema, ...problemResponses(400, 401, 413, 415, 422, 503) },
          },
        },
        async (request) => receive(request.body),
      );
    route(
      '/v1/callbacks/assessment',
      "The auditor's signed posture callback (compact JWS, EdDSA, typ cabc-posture+jwt)",
      'Verified against the auditor JWKS, audience and issuer; replays (same jti) change nothing and answer `duplicate`. ' +
        "A posture must name the scope version of the ToE's open certification (opened by a scope approval), else 422 `unknown-certification`.",
      service.receive,
    );
    route(
      '/v1/callbacks/scope',
      "The auditor's signed scope decision (compact JWS, EdDSA, typ cabc-scope+jwt)",
      '`scope.approved` opens the certification of that ToE and scope version (an older open one is closed, its certificate ' +
        'withdrawn with reason scope_superseded); `scope.superseded` closes the named version; `scope.rejected` is recorded ' +
        '(and retracts the approval of the version in force). Same verification and replay rules as the posture callback.',
      service.receiveScopeDecision,
    );
  });
}
