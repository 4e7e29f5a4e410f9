import type { ApprovedScopeInput, CertificateInput, ToeInput } from './bundle-input.ts';
import type { FailingRequirement } from './assessment-results.ts';
import { AR_FILE } from './assessment-results.ts';
import { CABC_NS, documentUuid, iso, prop, uuidV5 } from './oscal-text.ts';
import { documentMetadata, toeProps } from './metadata.ts';
import { SSP_FILE } from './system-security-plan.ts';

export const POAM_FILE = 'plan-of-action-and-milestones.json';

export interface PlanOfActionInput {
  toe: ToeInput;
  scope: ApprovedScopeInput;
  certificate: CertificateInput;
  open: FailingRequirement[];
  observations: ReadonlyMap<string, Record<string, unknown>>;
  /** The back-matter resources each observation points at (envelope, ledger entry, receipt). */
  resources: ReadonlyMap<string, Record<string, unknown>[]>;
  lastModified: string;
  version: string;
}

/**
 * While the certificate is suspended: a plan of action and milestones with one item per requirement still failing,
 * each with its finding, risk (deadline: the end of the grace period, when the certificate is revoked unless the
 * requirement is met again) and the observations behind it, as in the assessment results.
 */
export function planOfAction(input: PlanOfActionInput) {
  const { toe, scope, certificate } = input;
  const deadline = certificate.graceEndsAt ? iso(certificate.graceEndsAt) : undefined;
  const observationUuids = [...new Set(input.open.flatMap((entry) => entry.observationUuids))];
  const observations = observationUuids.flatMap((uuid) => {
    const observation = input.observations.get(uuid);
    return observation ? [observation] : [];
  });
  const resources = observationUuids.flatMap((uuid) => input.resources.get(uuid) ?? []);
  // The assessment plan's tasks and platform are not in this document's import chain (it imports the SSP only).
  const findings = input.open.map(({ finding }) => {
    const { origins: _origins, ...rest } = finding;
    return rest;
  });
  const risks = input.open.map((entry) => ({
    ...entry.risk,
    ...(deadline ? { deadline } : {}),
    remediations: [
      {
        uuid: uuidV5(`poam:remediation:${entry.risk.uuid}`),
        lifecycle: 'planned',
        title: `Meet ${entry.requirement.id} again`,
        description:
          `Deliver evidence that meets ${entry.requirement.id} (${entry.requirement.title})` +
          `${deadline ? ` before ${deadline}` : ''}; the next evaluation reinstates the certificate once every ` +
          'requirement is met.',
      },
    ],
  }));
  const items =
    input.open.length > 0
      ? input.open.map((entry) => ({
          uuid: uuidV5(`poam:item:${toe.id}:${scope.version}:${certificate.id}:${entry.requirement.id}`),
          title: `${entry.requirement.id}: ${entry.requirement.title}`,
          description:
            `Certificate ${certificate.id} is suspended (${certificate.reason}) ` +
            `while ${entry.requirement.id} is not met.` +
            `${deadline ? ` It is revoked at ${deadline} unless the requirement is met again by then.` : ''}`,
          props: [
            ...prop('requirement-id', entry.requirement.id),
            ...prop('certificate-id', certificate.id),
            ...(deadline ? prop('grace-ends-at', deadline) : []),
          ],
          links: [
            { href: `${AR_FILE}#${entry.finding.uuid}`, rel: 'related', text: 'the finding in the assessment results' },
          ],
          'related-findings': [{ 'finding-uuid': entry.finding.uuid }],
          ...(entry.observationUuids.length > 0
            ? { 'related-observations': entry.observationUuids.map((uuid) => ({ 'observation-uuid': uuid })) }
            : {}),
          'related-risks': [{ 'risk-uuid': entry.risk.uuid }],
        }))
      : [
          {
            uuid: uuidV5(`poam:item:${toe.id}:${scope.version}:${certificate.id}:suspension`),
            title: `Certificate ${certificate.id} suspended`,
            description:
              `The certificate is suspended (${certificate.reason}) though no requirement fails at the end of the ` +
              `period; the next evaluation reinstates it${deadline ? `, or it is revoked at ${deadline}` : ''}.`,
            props: [...prop('certificate-id', certificate.id), ...(deadline ? prop('grace-ends-at', deadline) : [])],
          },
        ];
  const body = {
    metadata: documentMetadata({
      title: `Plan of action and milestones: ${toe.name} (certificate suspended)`,
      lastModified: input.lastModified,
      version: input.version,
      org: toe.org,
      props: [
        ...toeProps(toe.id, scope.version, scope.digest),
        ...prop('certificate-id', certificate.id),
        ...prop('certificate-state', certificate.state),
        ...(certificate.suspendedAt ? prop('suspended-at', iso(certificate.suspendedAt)) : []),
      ],
    }),
    'import-ssp': { href: SSP_FILE },
    'system-id': { 'identifier-type': `${CABC_NS}/toe-id`, id: toe.id },
    ...(observations.length > 0 ? { observations } : {}),
    ...(risks.length > 0 ? { risks } : {}),
    ...(findings.length > 0 ? { findings } : {}),
    'poam-items': items,
    ...(resources.length > 0 ? { 'back-matter': { resources } } : {}),
  };
  return { 'plan-of-action-and-milestones': { uuid: documentUuid('poam', body), ...body } };
}
