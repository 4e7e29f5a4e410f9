import { api } from './api-client.ts';
import type { Platform } from './start-platform.ts';

export interface CertifiedToe {
  toeId: string;
  /** Per service: auditee and auditor at the assessment, pipeline at the collector, the auditee's at the CB. */
  tokens: { auditee: string; auditor: string; pipeline: string; auditeeAtCertificationBody: string };
}

/** One requirement: accuracy of the newest performance evidence at least `target`; critical. */
export const accuracyRequirement = (target: number) => ({
  id: 'REQ-ACCURACY',
  title: `Accuracy at least ${target}`,
  severity: 'critical',
  critical: true,
  mitigates: ['R-WRONG-DECISIONS'],
  controls: ['EU-AI-ACT:Art.15'],
  rule: { type: 'threshold', selector: { kind: 'performance', metric: 'accuracy' }, operator: '>=', target },
});

/**
 * The initialization phase through the APIs, as the parties would do it: the auditee registers the ToE and drafts
 * its scope (trusting the collector's published key), submits it, and the auditor approves it.
 */
export async function certifyToe(
  platform: Pick<Platform, 'urls' | 'token'>,
  options: {
    org: string;
    name: string;
    requirements?: unknown[];
    modelSha256?: string;
    collectorKeys?: unknown[];
    /** More scope document members, e.g. `attestationKeys`. */
    scope?: Record<string, unknown>;
  },
): Promise<CertifiedToe> {
  const tokens = {
    auditee: await platform.token('auditee', options.org),
    auditor: await platform.token('auditor', options.org),
    pipeline: await platform.token('pipeline', options.org),
    auditeeAtCertificationBody: await platform.token('auditee', options.org, { service: 'certification-body' }),
  };
  const keys =
    options.collectorKeys ??
    (await api<{ keys: unknown[] }>('GET', `${platform.urls.collector}/.well-known/jwks.json`)).keys;
  const toe = await api<{ id: string }>('POST', `${platform.urls.assessment}/v1/toes`, {
    token: tokens.auditee,
    body: {
      name: options.name,
      businessPurpose: 'Scores consumer credit applications',
      fieldOfOperation: 'consumer lending',
      riskClass: 'high',
      owner: 'ml-platform team',
      artifacts: options.modelSha256
        ? { models: [{ name: 'model.onnx', sha256: options.modelSha256 }], datasets: [] }
        : undefined,
    },
  });
  const scopes = `${platform.urls.assessment}/v1/toes/${toe.id}/scopes`;
  await api('POST', scopes, {
    token: tokens.auditee,
    body: {
      document: {
        risks: [
          {
            id: 'R-WRONG-DECISIONS',
            description: 'Wrong credit decisions harm applicants',
            likelihood: 'possible',
            impact: 'major',
          },
        ],
        requirements: options.requirements ?? [accuracyRequirement(0.9)],
        collectorKeys: keys,
        ...options.scope,
      },
    },
  });
  await api('POST', `${scopes}/1/submit`, { token: tokens.auditee });
  await api('POST', `${scopes}/1/approve`, {
    token: tokens.auditor,
    body: { comment: 'Requirements and measurements are adequate.' },
  });
  return { toeId: toe.id, tokens };
}
