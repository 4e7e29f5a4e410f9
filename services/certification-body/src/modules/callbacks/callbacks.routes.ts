import { z } from 'zod';
import { problemResponses, type Server, type ZodTypeProvider } from '@cabc/http-kit';
import type { CallbacksService } from './callbacks.service.ts';

const answerSchema = z.object({
  outcome: z.enum(['applied', 'no_change', 'stale', 'duplicate']),
  jti: z.string(),
  certificateId: z.string().nullable(),
  state: z.string().nullable(),
  detail: z.string(),
});

export async function registerCallbackRoutes(app: Server, service: CallbacksService): Promise<void> {
  await app.register(async (scope) => {
    // A compact JWS is the whole body (RFC 7515 media type application/jose; application/jwt accepted too). Nothing
    // else: a JSON body is 415, not a validation error.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser(['application/jose', 'application/jwt'], { parseAs: 'string' }, (_request, body, done) => {
      done(null, (body as string).trim());
    });
    scope.withTypeProvider<ZodTypeProvider>().post(
      '/v1/callbacks/assessment',
      {
        schema: {
          tags: ['callbacks'],
          summary: "The auditor's signed posture callback (compact JWS, EdDSA, typ cabc-posture+jwt)",
          description:
            'Verified against the auditor JWKS, audience and issuer; replays (same jti) change nothing and answer `duplicate`.',
          body: z.string().min(1).max(65_536).regex(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/, 'expected a compact JWS'),
          response: { 200: answerSchema, ...problemResponses(400, 401, 415, 422) },
        },
      },
      async (request) => service.receive(request.body),
    );
  });
}
