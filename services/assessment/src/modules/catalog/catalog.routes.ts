import { z } from 'zod';
import { NotFoundProblem, problemResponses, UnprocessableProblem, type Server } from '@cabc/http-kit';
import { allowedTo, authorize } from '../authorization/permissions.ts';
import { scopeRequirementSchema } from '../scopes/scope-document.schema.ts';
import { validateScopeDocument } from '../scopes/validate-scope-document.ts';
import { CATALOG_VERSION, catalogTemplates } from './catalog-v1.ts';
import { catalogView, defaults } from './catalog-view.ts';

const templateSchema = z.object({
  id: z.string(),
  title: z.string(),
  description: z.string(),
  area: z.string(),
  severity: z.string(),
  critical: z.boolean(),
  controls: z.object({ euAiAct: z.array(z.string()), iso25059: z.array(z.string()), aic4: z.array(z.string()) }),
  evidenceKinds: z.array(z.string()),
  parameters: z.array(z.object({ name: z.string(), type: z.string(), default: z.unknown(), description: z.string() })),
  defaultRule: z.unknown(),
});

/** The built-in catalog as GET /v1/catalog answers it (the OSCAL bundle's catalog is built from it too). */

export function registerCatalogRoutes(app: Server): void {
  app.get(
    '/v1/catalog',
    {
      config: allowedTo('catalog:read'),
      schema: {
        tags: ['catalog'],
        summary: 'The built-in catalog of requirement templates (EU AI Act, ISO/IEC 25059, BSI AIC4)',
        security: [{ bearer: [] }],
        response: {
          200: z.object({ version: z.string(), templates: z.array(templateSchema) }),
          ...problemResponses(401, 403),
        },
      },
    },
    async (request) => {
      authorize(request, 'catalog:read');
      return catalogView();
    },
  );

  app.post(
    '/v1/catalog/templates/:templateId/requirement',
    {
      config: allowedTo('catalog:read'),
      schema: {
        tags: ['catalog'],
        summary:
          'A scope requirement instantiated from a template with your parameters, validated and ready to put in a scope',
        security: [{ bearer: [] }],
        params: z.object({ templateId: z.string().max(64) }),
        body: z.strictObject({
          requirementId: z
            .string()
            .regex(/^[A-Za-z0-9._-]{1,64}$/)
            .optional(),
          parameters: z.record(z.string(), z.unknown()).default({}),
          mitigates: z.array(z.string()).max(64).optional(),
          severity: z.enum(['low', 'medium', 'high', 'critical']).optional(),
          critical: z.boolean().optional(),
        }),
        response: { 200: z.object({ requirement: z.unknown() }), ...problemResponses(400, 401, 403, 404, 422) },
      },
    },
    async (request) => {
      authorize(request, 'catalog:read');
      const template = catalogTemplates.find((candidate) => candidate.id === request.params.templateId);
      if (!template)
        throw new NotFoundProblem(`no template ${request.params.templateId}`, [
          { field: 'path:templateId', message: 'unknown template' },
        ]);
      const unknown = Object.keys(request.body.parameters).filter(
        (name) => !template.parameters.some((parameter) => parameter.name === name),
      );
      if (unknown.length > 0) {
        throw new UnprocessableProblem(
          'invalid-parameters',
          'Unknown parameters',
          `${template.id} has no parameter ${unknown.join(', ')}`,
          unknown.map((name) => ({ field: `parameters.${name}`, message: 'unknown parameter' })),
        );
      }
      const requirement = scopeRequirementSchema.parse({
        id: request.body.requirementId ?? template.id,
        title: template.title,
        description: template.description,
        severity: request.body.severity ?? template.severity,
        critical: request.body.critical ?? template.critical,
        mitigates: request.body.mitigates ?? [],
        controls: [
          ...template.controls.euAiAct.map((article) => `EU-AI-ACT:${article}`),
          ...template.controls.iso25059.map((characteristic) => `ISO-25059:${characteristic}`),
          ...template.controls.aic4.map((area) => `AIC4:${area}`),
        ],
        rule: template.rule({ ...defaults(template), ...request.body.parameters }),
        template: { id: template.id, catalogVersion: CATALOG_VERSION },
      });
      // Compiling now answers a bad parameter (e.g. a non-numeric minimum) with the field it lands in.
      await validateScopeDocument({ requirements: [{ ...requirement, mitigates: [] }] });
      return { requirement };
    },
  );
}
