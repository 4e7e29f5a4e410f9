import type { FastifyReply, FastifyRequest } from 'fastify';
import { Counter, type Registry } from 'prom-client';
import { problemSlugOf } from './problem-handler.ts';

export interface EvidenceMetrics {
  /** `created` (stored now) or `repeated` (already had it: the same answer again). */
  ingested: (outcome: 'created' | 'repeated') => void;
  /** The refusal by its problem slug (`validation`, `signature-invalid`, `unauthorized` …). */
  refused: (reason: string) => void;
  /** Route hooks counting each answer of a route that takes one evidence: 201/200 ingested, else refused. */
  routeHooks: {
    onResponse: (request: FastifyRequest, reply: FastifyReply) => Promise<void>;
  };
}

/**
 * Evidence taken in or refused, the same two counters at the collector (from pipelines) and at the assessment
 * service (from the collector), told apart by the `service` label.
 */
export function registerEvidenceMetrics(registry: Registry): EvidenceMetrics {
  const ingested = new Counter({
    name: 'cabc_evidence_ingested_total',
    help: 'Evidence accepted, by outcome (created: stored now, repeated: already stored, same answer)',
    labelNames: ['outcome'],
    registers: [registry],
  });
  const refused = new Counter({
    name: 'cabc_evidence_refused_total',
    help: 'Evidence refused, by reason (the problem slug of the answer)',
    labelNames: ['reason'],
    registers: [registry],
  });
  const metrics: EvidenceMetrics = {
    ingested: (outcome) => ingested.inc({ outcome }),
    refused: (reason) => refused.inc({ reason }),
    routeHooks: {
      onResponse: async (_request, reply) => {
        if (reply.statusCode === 201) metrics.ingested('created');
        else if (reply.statusCode === 200) metrics.ingested('repeated');
        else metrics.refused(problemSlugOf(reply) ?? `http-${reply.statusCode}`);
      },
    },
  };
  return metrics;
}
