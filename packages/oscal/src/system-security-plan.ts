import type { ApprovedScopeInput, ArtifactInput, CertificateInput, ToeInput } from './bundle-input.ts';
import { artifactComponentUuid, collectorComponentUuid, toeComponentUuid } from './components.ts';
import { requirementControlId, statementPartId } from './control-ids.ts';
import { documentMetadata, toeProps } from './metadata.ts';
import { CABC_NS, documentUuid, prop, str, text, uuidV5 } from './oscal-text.ts';
import { viewRule } from './rule-text.ts';
import { SCOPE_PROFILE_FILE } from './scope-catalog.ts';

export const SSP_FILE = 'system-security-plan.json';

export interface SspInput {
  toe: ToeInput;
  scope: ApprovedScopeInput;
  certificate: CertificateInput | null;
  lastModified: string;
  version: string;
}

/** The SSP statement a finding about a requirement points at (implementation-statement-uuid). */
export const implementationStatementUuid = (toeId: string, scopeVersion: number, requirementId: string) =>
  uuidV5(`ssp:statement:${toeId}:${scopeVersion}:${requirementId}`);

/**
 * The ToE as the system of a system security plan: its model and data artifacts (by digest) and the auditee's
 * evidence collector as components, the approved requirements as implemented requirements of the scope profile.
 */
export function systemSecurityPlan({ toe, scope, certificate, lastModified, version }: SspInput) {
  const system = toeComponentUuid(toe.id);
  const collector = collectorComponentUuid(toe.org);
  const artifact = (kind: 'model' | 'dataset', label: string) => (entry: ArtifactInput) => ({
    uuid: artifactComponentUuid(toe.id, kind, entry.sha256, entry.name),
    type: 'software',
    title: entry.name,
    description: `${label} artifact of ${toe.name}, identified by its SHA-256 ${entry.sha256}.`,
    props: [...prop('artifact-kind', kind), ...prop('sha256', entry.sha256)],
    status: { state: 'operational' },
  });
  const models = toe.artifacts.models.map(artifact('model', 'Model'));
  const datasets = toe.artifacts.datasets.map(artifact('dataset', 'Dataset'));
  const keys = (scope.document.collectorKeys ?? []).flatMap((key) =>
    prop('collector-key', key.kid ?? `${key.kty} ${key.crv ?? ''} ${key.x ?? ''}`),
  );
  const authorized =
    certificate && certificate.scopeVersion === scope.version ? certificate.issuedAt.slice(0, 10) : undefined;
  const body = {
    metadata: documentMetadata({
      title: `System security plan: ${toe.name}`,
      lastModified,
      version,
      org: toe.org,
      props: toeProps(toe.id, scope.version, scope.digest),
    }),
    'import-profile': {
      href: SCOPE_PROFILE_FILE,
      remarks: `The baseline is the approved CABC scope, version ${scope.version} (SHA-256 ${scope.digest}).`,
    },
    'system-characteristics': {
      'system-ids': [{ 'identifier-type': `${CABC_NS}/toe-id`, id: toe.id }],
      'system-name': toe.name,
      description: text(toe.businessPurpose, toe.name),
      props: [
        ...prop('eu-ai-act-risk-class', toe.riskClass),
        ...prop('field-of-operation', toe.fieldOfOperation),
        ...prop('owner', toe.owner),
        ...prop('registered-at', new Date(toe.createdAt).toISOString()),
      ],
      ...(authorized ? { 'date-authorized': authorized } : {}),
      'system-information': {
        'information-types': [
          {
            uuid: uuidV5(`ssp:information-type:${toe.id}`),
            title: `Data processed by ${toe.name}`,
            description: text(
              `Inputs and decisions of the ML system in ${toe.fieldOfOperation}: ${toe.businessPurpose}`,
              toe.name,
            ),
          },
        ],
      },
      status: { state: 'operational' },
      'authorization-boundary': {
        description:
          `${toe.name} as registered in CABC (ToE ${toe.id}): ` +
          `${models.length} model artifact(s) and ${datasets.length} dataset artifact(s) identified by SHA-256, ` +
          'and the evidence its pipelines deliver through the evidence collector.',
      },
    },
    'system-implementation': {
      users: [
        {
          uuid: uuidV5(`ssp:user:owner:${toe.id}`),
          title: text(toe.owner, 'owner'),
          'role-ids': ['system-owner'],
        },
      ],
      components: [
        {
          uuid: system,
          type: 'this-system',
          title: toe.name,
          description: text(
            `${toe.businessPurpose} (field of operation: ${toe.fieldOfOperation}; risk class: ${toe.riskClass})`,
            toe.name,
          ),
          props: prop('toe-id', toe.id),
          status: { state: 'operational' },
        },
        ...models,
        ...datasets,
        {
          uuid: collector,
          type: 'software',
          title: `CABC evidence collector of ${toe.org}`,
          description:
            'Turns the pipelines’ tool outputs into in-toto statements, signs them (DSSE, Ed25519) and delivers ' +
            'them ' +
            'to the auditor without loss.',
          ...(keys.length > 0 ? { props: keys } : {}),
          status: { state: 'operational' },
        },
      ],
    },
    'control-implementation': {
      description:
        `The requirements of the approved scope, version ${scope.version}: each is evaluated continuously from ` +
        'signed ' +
        'evidence the ML system’s pipelines deliver.',
      'implemented-requirements': scope.document.requirements.map((requirement) => {
        const controlId = requirementControlId(requirement.id);
        const rule = viewRule(requirement.rule);
        return {
          uuid: uuidV5(`ssp:implemented-requirement:${toe.id}:${scope.version}:${requirement.id}`),
          'control-id': controlId,
          props: [...prop('severity', requirement.severity), ...prop('critical', requirement.critical ?? false)],
          statements: [
            {
              'statement-id': statementPartId(controlId),
              uuid: implementationStatementUuid(toe.id, scope.version, requirement.id),
              'by-components': [
                {
                  'component-uuid': system,
                  uuid: uuidV5(`ssp:by-component:${toe.id}:${scope.version}:${requirement.id}:system`),
                  description: text(
                    `${toe.name} meets ${requirement.id} (${requirement.title}) when ${rule.text}.`,
                    requirement.title,
                  ),
                  'implementation-status': { state: 'implemented' },
                },
                {
                  'component-uuid': collector,
                  uuid: uuidV5(`ssp:by-component:${toe.id}:${scope.version}:${requirement.id}:collector`),
                  description: text(
                    `The evidence collector signs and delivers the ${rule.kinds.join(', ') || 'evidence'} evidence ` +
                      'the rule reads.',
                    'Signs and delivers the evidence.',
                  ),
                  'implementation-status': { state: 'implemented' },
                },
              ],
            },
          ],
          ...(str(requirement.description) ? { remarks: str(requirement.description) } : {}),
        };
      }),
    },
  };
  return { 'system-security-plan': { uuid: documentUuid('ssp', body), ...body } };
}
