import { z } from 'zod';
import type { FastifyRequest } from 'fastify';
import {
  AP_FILE,
  AR_FILE,
  buildOscalBundle,
  bundleZip,
  CATALOG_FILE,
  documentText,
  MANIFEST_FILE,
  OscalBundleInputError,
  POAM_FILE,
  PROFILE_FILE,
  SCOPE_CATALOG_FILE,
  SCOPE_PROFILE_FILE,
  SSP_FILE,
  type OscalBundle,
} from '@cabc/oscal';
import { NotFoundProblem, problemResponses, UnprocessableProblem, type Server } from '@cabc/http-kit';
import { allowedTo, authorize } from '../authorization/permissions.ts';
import type { ToesRepository } from '../toes/toes.repository.ts';
import { toeParamsSchema } from '../toes/toes.schemas.ts';
import type { BundleRequest, OscalBundleSource } from './oscal-bundle-source.ts';

export interface OscalBundleRouteDeps {
  toes: ToesRepository;
  bundles: OscalBundleSource;
  now: () => Date;
}

const tags = ['reporting'];
const security = [{ bearer: [] }];

export const bundleFiles = [
  CATALOG_FILE,
  PROFILE_FILE,
  SCOPE_CATALOG_FILE,
  SCOPE_PROFILE_FILE,
  SSP_FILE,
  AP_FILE,
  AR_FILE,
  POAM_FILE,
  MANIFEST_FILE,
] as const;

const bundleQuerySchema = z.object({
  scopeVersion: z.coerce
    .number()
    .int()
    .positive()
    .optional()
    .describe('the approved (or superseded) scope version; default: the one in force'),
  from: z.iso.datetime({ offset: true }).optional().describe('start of the period; default: the scope’s approval'),
  to: z.iso.datetime({ offset: true }).optional().describe('end of the period; default: now'),
  window: z
    .string()
    .max(32)
    .optional()
    .describe('length of one evaluation window (one OSCAL result each), at least 1 hour; default P1D'),
});

/** Which query field an input the bundle refuses came from. */
const queryFieldOf: Record<string, string> = {
  windowLength: 'query:window',
  'period.from': 'query:from',
  'period.to': 'query:to',
  period: 'query:from',
  scopeVersion: 'query:scopeVersion',
};

const baseUrlOf = (request: FastifyRequest) => `${request.protocol}://${request.host}`;

/**
 * The OSCAL 1.1.2 bundle of a ToE (docs/oscal.md) as a zip, and each of its documents on its own under its file name,
 * so that the documents' relative links (`assessment-plan.json` …) resolve over HTTP as they do in the unpacked zip.
 */
export function registerOscalBundleRoutes(app: Server, deps: OscalBundleRouteDeps): void {
  async function bundleOf(request: FastifyRequest, toeId: string, query: BundleRequest): Promise<OscalBundle> {
    const principal = authorize(request, 'evidence:read');
    const toe = await deps.toes.findInOrg(toeId, principal.org);
    if (!toe) throw new NotFoundProblem(`no ToE ${toeId}`, [{ field: 'path:toeId', message: 'unknown ToE' }]);
    try {
      const { input, notes } = await deps.bundles.input(
        toe,
        query,
        { org: principal.org },
        deps.now(),
        baseUrlOf(request),
      );
      const bundle = buildOscalBundle(input);
      return { ...bundle, manifest: { ...bundle.manifest, notes: [...bundle.manifest.notes, ...notes] } };
    } catch (error) {
      if (!(error instanceof OscalBundleInputError)) throw error;
      const field = queryFieldOf[error.field] ?? 'query:scopeVersion';
      throw new UnprocessableProblem('oscal-bundle-refused', 'OSCAL bundle refused', error.message, [
        { field, message: error.message },
      ]);
    }
  }

  app.get(
    '/v1/toes/:toeId/reports/oscal-bundle',
    {
      config: allowedTo('evidence:read'),
      schema: {
        tags,
        security,
        summary:
          'The OSCAL 1.1.2 bundle as a zip: catalog, profiles, SSP, assessment plan, assessment results and (while the certificate is suspended) the POA&M',
        description:
          'Byte for byte what `cabc oscal bundle` writes for the same state and period. The certificate is read at the ' +
          'certification body with this service’s own credential (never the caller’s token); when it refuses, the manifest notes it and there is no POA&M.',
        params: toeParamsSchema,
        querystring: bundleQuerySchema,
        produces: ['application/zip'],
        response: { 200: z.unknown(), ...problemResponses(400, 401, 403, 404, 422) },
      },
    },
    async (request, reply) => {
      const bundle = await bundleOf(request, request.params.toeId, request.query);
      const { toe, scopeVersion } = bundle.manifest;
      return reply
        .type('application/zip')
        .header('content-disposition', `attachment; filename="${toe}-oscal-bundle-v${scopeVersion}.zip"`)
        .send(bundleZip(bundle));
    },
  );

  app.get(
    '/v1/toes/:toeId/reports/oscal/:document',
    {
      config: allowedTo('evidence:read'),
      schema: {
        tags,
        security,
        summary: 'One document of the OSCAL bundle (or its manifest), by its file name in the zip',
        params: toeParamsSchema.extend({ document: z.enum(bundleFiles) }),
        querystring: bundleQuerySchema,
        response: { 200: z.unknown(), ...problemResponses(400, 401, 403, 404, 422) },
      },
    },
    async (request, reply) => {
      const bundle = await bundleOf(request, request.params.toeId, request.query);
      const name = request.params.document;
      const text =
        name === MANIFEST_FILE
          ? `${JSON.stringify(bundle.manifest, null, 2)}\n`
          : bundle.documents.find((document) => document.file === name);
      if (text === undefined) {
        throw new NotFoundProblem(`the bundle of ${bundle.manifest.toe} has no ${name}`, [
          {
            field: 'path:document',
            message: name === POAM_FILE ? 'a POA&M exists only while the certificate is suspended' : 'no such document',
          },
        ]);
      }
      return reply
        .type('application/json')
        .header('content-disposition', `inline; filename="${name}"`)
        .serializer((body: unknown) => String(body))
        .send(typeof text === 'string' ? text : documentText(text));
    },
  );
}
