import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { SigningKey } from '@cabc/crypto';
import { scopeDigest } from '../../src/modules/scopes/scopes.service.ts';
import { scopeDocumentSchema, type ScopeDocumentInput } from '../../src/modules/scopes/scope-document.schema.ts';

/** A scope document with one critical accuracy requirement, trusting the given collector keys. */
export function accuracyScope(collectorKeys: SigningKey[], target = 0.9): ScopeDocumentInput {
  return {
    risks: [{ id: 'R1', description: 'Wrong credit decisions', likelihood: 'possible', impact: 'major' }],
    requirements: [
      {
        id: 'REQ-ACCURACY',
        title: `Accuracy at least ${target}`,
        severity: 'critical',
        critical: true,
        mitigates: ['R1'],
        controls: ['EU-AI-ACT:Art.15'],
        rule: { type: 'threshold', selector: { kind: 'performance', metric: 'accuracy' }, operator: '>=', target },
      },
    ],
    measurements: [{ requirementId: 'REQ-ACCURACY', evidenceKinds: ['performance'], expectedFrequency: '1d' }],
    collectorKeys: collectorKeys.map((key) => ({ ...key.publicJwk })),
  };
}

/**
 * Writes a ToE with an approved scope straight into the database, for tests about evidence rather than about the
 * review workflow (which has tests of its own through the API).
 */
export async function seedApprovedToe(
  db: Kysely<any>,
  toeId: string,
  collectorKeys: SigningKey[],
  org = 'acme',
): Promise<void> {
  const document = scopeDocumentSchema.parse(accuracyScope(collectorKeys));
  await db
    .insertInto('toes')
    .values({
      id: toeId,
      org,
      name: toeId,
      business_purpose: 'test',
      field_of_operation: 'test',
      risk_class: 'high',
      owner: 'test',
      artifacts: JSON.stringify({ models: [], datasets: [] }),
      created_by: 'seed',
    })
    .execute();
  await db
    .insertInto('scope_versions')
    .values({
      id: randomUUID(),
      toe_id: toeId,
      version: 1,
      state: 'approved',
      document: JSON.stringify(document),
      digest: scopeDigest(document),
      created_by: 'seed',
      decided_by: 'seed',
      decided_at: new Date(),
    })
    .execute();
}
