import { OSCAL_VERSION, prop, uuidV5, type OscalProp } from './oscal-text.ts';

/** The three parties of the method (docs/design.md §1) as OSCAL parties, with the OSCAL roles they play. */
export function partiesOf(org: string) {
  return {
    auditee: uuidV5(`party:auditee:${org}`),
    auditor: uuidV5(`party:auditor:${org}`),
    certificationBody: uuidV5('party:certification-body'),
  };
}

export interface MetadataInput {
  title: string;
  lastModified: string;
  version: string;
  org: string;
  props?: OscalProp[];
  remarks?: string;
}

/** Metadata every document of the bundle shares: roles, parties and who plays which role. */
export function documentMetadata(input: MetadataInput) {
  const parties = partiesOf(input.org);
  return {
    title: input.title,
    'last-modified': input.lastModified,
    version: input.version,
    'oscal-version': OSCAL_VERSION,
    ...(input.props && input.props.length > 0 ? { props: input.props } : {}),
    roles: [
      { id: 'system-owner', title: 'Auditee: owner of the ML system' },
      { id: 'assessor', title: 'Auditor: CABC assessment' },
      { id: 'authorizing-official', title: 'Certification body: issues and revokes the certificate' },
    ],
    parties: [
      { uuid: parties.auditee, type: 'organization', name: input.org },
      { uuid: parties.auditor, type: 'organization', name: `Auditor of ${input.org}` },
      { uuid: parties.certificationBody, type: 'organization', name: 'CABC certification body' },
    ],
    'responsible-parties': [
      { 'role-id': 'system-owner', 'party-uuids': [parties.auditee] },
      { 'role-id': 'assessor', 'party-uuids': [parties.auditor] },
      { 'role-id': 'authorizing-official', 'party-uuids': [parties.certificationBody] },
    ],
    ...(input.remarks ? { remarks: input.remarks } : {}),
  };
}

/** The catalog's metadata has no parties: it is the same for every organization. */
export function catalogMetadata(title: string, lastModified: string, version: string, props: OscalProp[] = []) {
  return {
    title,
    'last-modified': lastModified,
    version,
    'oscal-version': OSCAL_VERSION,
    ...(props.length > 0 ? { props } : {}),
  };
}

export const toeProps = (toeId: string, scopeVersion: number, scopeDigest: string): OscalProp[] => [
  ...prop('toe-id', toeId),
  ...prop('scope-version', scopeVersion),
  ...prop('scope-digest', scopeDigest),
];
