import { describe, expect, it } from 'vitest';
import { AR_FILE, anomalyObservationUuid, buildOscalBundle, unresolvedReferences } from '../src/index.ts';
import { nistSchemaErrors } from '../src/validation/index.ts';
import { realisticBundleInput } from './fixtures/bundle-input.ts';
import { rootOf } from './bundle-helpers.ts';

describe('anomaly observations in the OSCAL assessment results', () => {
  const base = realisticBundleInput();
  const [copied, original] = [base.evidence.at(-1)!, base.evidence.at(-3)!];
  const observations = [
    {
      id: '6f1c2a4e-0b7d-4c1e-9a53-2d8e4f6a1b3c',
      signal: 'repeated_measurements',
      kind: 'performance',
      score: 0.8123,
      evidenceIds: [copied.id, original.id],
      explanation: `All 2 numeric measurements of this performance evidence are exactly those of evidence ${original.id}.`,
      state: 'confirmed' as const,
      decidedBy: 'auditor@acme',
      decidedAt: '2026-11-26T15:00:00.000Z',
      decisionReason: 'Copied numbers.',
      findingId: '0d4c1b7e-5a2f-4e3b-8c1d-9f6e2a7b4c5d',
      createdAt: new Date(new Date(copied.receivedAt).getTime() + 2_000).toISOString(),
    },
  ];
  const bundle = buildOscalBundle(realisticBundleInput({ observations }));
  const results = rootOf(bundle, AR_FILE).results as any[];

  it('puts each observation in the window it was raised in, pointing at the evidence behind it', () => {
    const holding = results.filter((result) =>
      (result.observations ?? []).some((entry: any) => entry.uuid === anomalyObservationUuid(observations[0]!.id)),
    );
    expect(holding).toHaveLength(1);
    const [result] = holding;
    expect(Date.parse(result.start)).toBeLessThanOrEqual(Date.parse(observations[0]!.createdAt));
    expect(Date.parse(result.end)).toBeGreaterThan(Date.parse(observations[0]!.createdAt));
    const entry = result.observations.find((item: any) => item.uuid === anomalyObservationUuid(observations[0]!.id));
    expect(entry.props).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: 'anomaly-signal', value: 'repeated_measurements' }),
        expect.objectContaining({ name: 'anomaly-state', value: 'confirmed' }),
        expect.objectContaining({ name: 'evidence-id', value: original.id }),
      ]),
    );
    expect(entry['relevant-evidence'].map((item: any) => item.href)).toEqual([
      `https://assessment.example.org/v1/toes/${base.toe.id}/evidence/${copied.id}`,
      `https://assessment.example.org/v1/toes/${base.toe.id}/evidence/${original.id}`,
    ]);
    expect(entry.remarks).toContain('Confirmed by auditor@acme');
  });

  it('still validates against NIST’s schema, every reference resolving', () => {
    const ar = bundle.documents.find((document) => document.file === AR_FILE)!;
    expect(nistSchemaErrors('assessment-results', ar.json)).toEqual([]);
    expect(unresolvedReferences(bundle.documents)).toEqual([]);
    // Without observations the results are what they were.
    const plain = rootOf(buildOscalBundle(base), AR_FILE).results as any[];
    expect(plain.flatMap((result) => result.observations ?? []).length).toBe(
      results.flatMap((result) => result.observations ?? []).length - 1,
    );
  });
});
