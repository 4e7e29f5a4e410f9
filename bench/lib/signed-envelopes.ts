import { EVIDENCE_PREDICATE_TYPE, IN_TOTO_PAYLOAD_TYPE, IN_TOTO_STATEMENT_TYPE } from '@cabc/contracts';
import { signDsse, type SigningKey } from '@cabc/crypto';

/**
 * `count` distinct signed evidence envelopes (distinct statements: a repeated one is answered idempotently), spread
 * round-robin over `toes`, built before a benchmark's clock starts.
 */
export function signedEnvelopes(key: SigningKey, toes: readonly string[], label: string, count: number): string[] {
  const base = Date.now() - 3_600_000;
  return Array.from({ length: count }, (_, index) => {
    const statement = {
      _type: IN_TOTO_STATEMENT_TYPE,
      subject: [{ name: 'model.onnx', digest: { sha256: 'b'.repeat(64) } }],
      predicateType: EVIDENCE_PREDICATE_TYPE,
      predicate: {
        toe: toes[index % toes.length]!,
        kind: 'performance',
        producer: { tool: 'bench', pipelineRunId: `${label}-${index}` },
        observedAt: new Date(base + index).toISOString(),
        context: { dataset: 'holdout', split: 'test' },
        measurements: [
          { name: 'accuracy', value: 0.9 + (index % 100) / 1000 },
          { name: 'f1', value: 0.88 },
        ],
        checks: [{ name: 'run_status', status: 'pass' }],
        submitter: { org: 'bench', subject: 'bench-pipeline', role: 'pipeline' },
      },
    };
    return JSON.stringify(
      signDsse(Buffer.from(JSON.stringify(statement)), IN_TOTO_PAYLOAD_TYPE, [
        { keyid: key.kid, privateKey: key.privateKey },
      ]),
    );
  });
}
