import { describe, expect, it } from 'vitest';
import {
  AP_FILE,
  AR_FILE,
  buildOscalBundle,
  bundleZip,
  CATALOG_FILE,
  OscalBundleInputError,
  POAM_FILE,
  SCOPE_CATALOG_FILE,
  SSP_FILE,
  unresolvedReferences,
  uuidV5,
} from '../src/index.ts';
import { realisticBundleInput } from './fixtures/bundle-input.ts';
import { rootOf, withChange } from './bundle-helpers.ts';

describe('the OSCAL bundle of a ToE under continuous assessment', () => {
  const input = realisticBundleInput();
  const bundle = buildOscalBundle(input);

  it('holds catalog, profiles, SSP, plan and results, and a POA&M while the certificate is suspended', () => {
    expect(bundle.documents.map((document) => [document.file, document.model])).toEqual([
      ['catalog.json', 'catalog'],
      ['profile.json', 'profile'],
      ['scope-catalog.json', 'catalog'],
      ['scope-profile.json', 'profile'],
      ['system-security-plan.json', 'system-security-plan'],
      ['assessment-plan.json', 'assessment-plan'],
      ['assessment-results.json', 'assessment-results'],
      ['plan-of-action-and-milestones.json', 'plan-of-action-and-milestones'],
    ]);
    expect(bundle.manifest.documents.map((entry) => entry.sha256)).toHaveLength(8);
  });

  it('links the documents by import inside the bundle, and every reference resolves', () => {
    expect(rootOf(bundle, AR_FILE)['import-ap'].href).toBe(AP_FILE);
    expect(rootOf(bundle, AP_FILE)['import-ssp'].href).toBe(SSP_FILE);
    expect(rootOf(bundle, SSP_FILE)['import-profile'].href).toBe('scope-profile.json');
    expect(rootOf(bundle, 'scope-profile.json').imports).toEqual([{ href: SCOPE_CATALOG_FILE, 'include-all': {} }]);
    expect(rootOf(bundle, 'profile.json').imports).toEqual([{ href: CATALOG_FILE, 'include-all': {} }]);
    expect(rootOf(bundle, POAM_FILE)['import-ssp'].href).toBe(SSP_FILE);
    expect(unresolvedReferences(bundle.documents)).toEqual([]);
  });

  it('finds a reference that does not resolve (each kind planted once)', () => {
    const planted = [
      withChange(bundle, AR_FILE, (root) => {
        root['import-ap'].href = 'missing-plan.json';
      }),
      withChange(bundle, AR_FILE, (root) => {
        root.results.find((result: any) => result.findings).findings[0].target['target-id'] = 'req-NOPE_obj';
      }),
      withChange(bundle, AP_FILE, (root) => {
        root['assessment-subjects'][0]['include-subjects'][0]['subject-uuid'] = uuidV5('nothing');
      }),
      withChange(bundle, AR_FILE, (root) => {
        root['back-matter'].resources.shift();
      }),
      withChange(bundle, SSP_FILE, (root) => {
        root['control-implementation']['implemented-requirements'][0]['control-id'] = 'req-UNKNOWN';
      }),
    ];
    for (const broken of planted) expect(unresolvedReferences(broken.documents)).not.toEqual([]);
  });

  it('has the ToE as the system, its artifacts and collector as components, requirements implemented', () => {
    const ssp = rootOf(bundle, SSP_FILE);
    expect(ssp['system-characteristics']['system-ids']).toEqual([
      { 'identifier-type': 'https://cabc.dev/ns/oscal/toe-id', id: input.toe.id },
    ]);
    const components = ssp['system-implementation'].components;
    expect(components.map((component: any) => [component.type, component.title])).toEqual([
      ['this-system', 'credit-scoring'],
      ['software', 'credit-scoring.onnx'],
      ['software', 'holdout-2026-11.parquet'],
      ['software', 'CABC evidence collector of acme'],
    ]);
    expect(ssp['control-implementation']['implemented-requirements'].map((entry: any) => entry['control-id'])).toEqual(
      input.scope.document.requirements.map((requirement) => `req-${requirement.id}`),
    );
    expect(ssp['system-characteristics']['date-authorized']).toBe(input.certificate!.issuedAt.slice(0, 10));
  });

  it('plans each requirement as an activity with its rule and threshold and a task at its evaluation frequency', () => {
    const plan = rootOf(bundle, AP_FILE);
    const accuracy = plan['local-definitions'].activities[0];
    expect(accuracy.description).toContain('accuracy of the newest performance evidence >= 0.9');
    expect(accuracy.props).toContainEqual({ name: 'method', value: 'TEST' });
    expect(accuracy.props).toContainEqual({ name: 'rule-target', ns: 'https://cabc.dev/ns/oscal', value: '0.9' });
    const tasks = plan.tasks;
    expect(tasks[0].timing).toEqual({ 'at-frequency': { period: 1, unit: 'days' } }); // measurement: expected P1D
    expect(tasks[1].timing).toBeUndefined(); // no frequency, no freshness: evaluated on each evidence only
    expect(plan['reviewed-controls']['control-selections'][0]['include-controls']).toHaveLength(5);
  });

  it('makes a result per evaluation window, each evidence an observation linked to ledger and receipt', () => {
    const ar = rootOf(bundle, AR_FILE);
    // Approved 11-19 16:00, exported 11-27 00:00: windows 11-19 (partial) to 11-26, UTC days; 11-19 has no activity.
    expect(ar.results.map((result: any) => result.start.slice(0, 10))).toEqual([
      '2026-11-20',
      '2026-11-21',
      '2026-11-22',
      '2026-11-23',
      '2026-11-24',
      '2026-11-25',
      '2026-11-26',
    ]);
    const observations = ar.results.flatMap((result: any) => result.observations ?? []);
    expect(observations.filter((observation: any) => observation.methods[0] === 'TEST')).toHaveLength(
      input.evidence.length,
    );
    const first = observations[0];
    const evidence = input.evidence[0]!;
    expect(first.collected).toBe(evidence.observedAt);
    expect(first.expires).toBe(new Date(Date.parse(String(evidence.observedAt)) + 7 * 86_400_000).toISOString()); // P7D
    const resources = new Map(ar['back-matter'].resources.map((resource: any) => [`#${resource.uuid}`, resource]));
    const linked = first['relevant-evidence'].map((entry: any) => resources.get(entry.href));
    expect(linked.map((resource: any) => resource.title)).toEqual([
      'DSSE envelope of evidence #1 (performance)',
      'Ledger entry 0 of evidence #1',
      'Receipt of evidence #1',
    ]);
    expect(Buffer.from(linked[2].base64.value, 'base64').toString()).toBe(evidence.receipt);
    expect(linked[0].rlinks[0].hashes).toEqual([{ algorithm: 'SHA-256', value: evidence.envelopeSha256 }]);
    const manual = observations.find((observation: any) => observation.methods[0] === 'EXAMINE');
    expect(manual.origins[0].actors[0]).toMatchObject({ type: 'party', 'role-id': 'assessor' });
  });

  it('makes the failing requirements of each window findings, with their risk open or closed', () => {
    const ar = rootOf(bundle, AR_FILE);
    const failing = ar.results.map((result: any) => [
      result.start.slice(0, 10),
      (result.findings ?? []).map((finding: any) => {
        const risk = result.risks.find((entry: any) => entry.uuid === finding['related-risks'][0]['risk-uuid']);
        return `${finding.target['target-id']}:${risk.status}`;
      }),
    ]);
    expect(failing).toEqual([
      ['2026-11-20', []],
      ['2026-11-21', []],
      ['2026-11-22', []],
      ['2026-11-23', ['req-REQ-ACCURACY_obj:open']], // failed at 09:00, still failing when the day ended
      ['2026-11-24', ['req-REQ-ACCURACY_obj:closed']], // failing when the window opened, met again at 10:00
      ['2026-11-25', []],
      ['2026-11-26', ['req-REQ-ACCURACY_obj:open', 'req-REQ-AUC-TREND_obj:open']],
    ]);
    const last = ar.results.at(-1);
    expect(last.props).toContainEqual({ name: 'posture', ns: 'https://cabc.dev/ns/oscal', value: 'non_compliant' });
    expect(last.risks[0].deadline).toBe(input.certificate!.graceEndsAt);
  });

  it('plans the open findings in the POA&M with the grace period’s end as deadline', () => {
    const poam = rootOf(bundle, POAM_FILE);
    expect(poam['poam-items'].map((item: any) => item.title)).toEqual([
      'REQ-ACCURACY: Performance at least the agreed level',
      'REQ-AUC-TREND: AUC does not degrade',
    ]);
    expect(poam.risks.map((risk: any) => risk.deadline)).toEqual([
      input.certificate!.graceEndsAt,
      input.certificate!.graceEndsAt,
    ]);
    expect(poam.risks[0].remediations[0].lifecycle).toBe('planned');
    expect(poam.findings.map((finding: any) => finding.uuid)).toEqual(
      rootOf(bundle, AR_FILE)
        .results.at(-1)
        .findings.map((finding: any) => finding.uuid),
    );
  });

  it('has no POA&M when the certificate is not suspended, and says why', () => {
    const issued = buildOscalBundle(realisticBundleInput({ certificate: { ...input.certificate!, state: 'issued' } }));
    expect(issued.documents.map((document) => document.file)).not.toContain(POAM_FILE);
    expect(issued.manifest.notes).toEqual(['No POA&M: the certificate is issued, not suspended.']);
    const none = buildOscalBundle(realisticBundleInput({ certificate: null }));
    expect(none.manifest.notes).toEqual(['No POA&M: the approved scope version has no certificate.']);
    expect(unresolvedReferences(none.documents)).toEqual([]);
  });

  it('exports the same state as the same bytes, whatever the order of the input', () => {
    const again = realisticBundleInput();
    again.evidence.reverse();
    again.results.reverse();
    expect(bundleZip(buildOscalBundle(again)).equals(bundleZip(bundle))).toBe(true);
    const later = buildOscalBundle(realisticBundleInput({ generatedAt: '2026-11-27T06:00:00.000Z' }));
    // Only the last window grows: the results and the POA&M (its findings) change, every other document stays.
    const changed = later.manifest.documents.filter(
      (entry, index) => entry.sha256 !== bundle.manifest.documents[index]!.sha256,
    );
    expect(changed.map((entry) => entry.file)).toEqual([AR_FILE, POAM_FILE]);
  });

  it('leaves out results of an earlier scope version, even for a requirement that kept its id', () => {
    const earlier = realisticBundleInput();
    earlier.results.push({
      id: 0,
      requirementId: 'REQ-FAIRNESS',
      status: 'non_compliant',
      previousStatus: null,
      reason: 'demographic_parity_difference 0.2 > 0.1 (scope version 0)',
      evidenceIds: [],
      evaluatedAt: '2026-11-19T10:00:00.000Z',
    });
    expect(bundleZip(buildOscalBundle(earlier)).equals(bundleZip(bundle))).toBe(true);
  });

  it('refuses input it cannot export, naming the field', () => {
    const refused = (overrides: Parameters<typeof realisticBundleInput>[0]) => {
      try {
        buildOscalBundle(realisticBundleInput(overrides));
      } catch (error) {
        if (error instanceof OscalBundleInputError) return [error.field, error.message];
        throw error;
      }
      return undefined;
    };
    expect(refused({ windowLength: 'PT5M' })).toEqual(['windowLength', expect.stringContaining('at least 1 hour')]);
    expect(refused({ windowLength: 'monthly' })).toEqual(['windowLength', expect.stringContaining('not a duration')]);
    expect(refused({ period: { from: '2020-01-01T00:00:00Z' } })).toEqual([
      'windowLength',
      expect.stringContaining('limit is 400'),
    ]);
    expect(refused({ period: { to: '2026-11-01T00:00:00Z' } })).toEqual([
      'period.from',
      expect.stringContaining('at or after'),
    ]);
    expect(refused({ period: { from: 'yesterday' } })).toEqual([
      'period.from',
      expect.stringContaining('not a date-time'),
    ]);
  });
});
