import type { Check, EvidenceKind, Measurement, ResourceDescriptor } from '@cabc/contracts';
import type { AdaptedEvidence } from '../types.ts';
import { clipText } from './text.ts';

/** What every adapter gets from `adapt()`: the raw artefact reference, the fallback time and its own name. */
export interface AdaptContext {
  raw: AdaptedEvidence['raw'];
  fallbackObservedAt: string;
  /** Written to `producer.adapter`. */
  adapter: string;
}

type MaybeText = string | undefined;

export interface EvidenceDraft {
  kind: EvidenceKind;
  producer: { tool: string; toolVersion?: MaybeText; pipelineRunId?: MaybeText; uri?: MaybeText };
  observedAt?: MaybeText;
  context?: { dataset?: MaybeText; split?: MaybeText; slice?: MaybeText; environment?: MaybeText };
  measurements?: Measurement[];
  checks?: Check[];
  subjects?: ResourceDescriptor[];
}

const SHORT_MAX = 256;
const URI_MAX = 2048;

export function buildEvidence(context: AdaptContext, draft: EvidenceDraft): AdaptedEvidence {
  const { producer } = draft;
  return {
    kind: draft.kind,
    producer: withoutEmpty({
      tool: clipText(producer.tool, SHORT_MAX),
      toolVersion: shortText(producer.toolVersion),
      adapter: context.adapter,
      pipelineRunId: shortText(producer.pipelineRunId),
      uri: producer.uri === undefined ? undefined : clipText(producer.uri, URI_MAX),
    }) as AdaptedEvidence['producer'],
    observedAt: draft.observedAt ?? context.fallbackObservedAt,
    context: withoutEmpty({
      dataset: shortText(draft.context?.dataset),
      split: shortText(draft.context?.split),
      slice: shortText(draft.context?.slice),
      environment: shortText(draft.context?.environment),
    }),
    measurements: draft.measurements ?? [],
    checks: draft.checks ?? [],
    raw: context.raw,
    subjects: draft.subjects ?? [],
  };
}

function shortText(text: string | undefined): string | undefined {
  const trimmed = text?.trim();
  return trimmed ? clipText(trimmed, SHORT_MAX) : undefined;
}

function withoutEmpty<T extends Record<string, string | undefined>>(fields: T): Partial<Record<keyof T, string>> {
  return Object.fromEntries(
    Object.entries(fields).filter(([, value]) => value !== undefined && value !== ''),
  ) as Partial<Record<keyof T, string>>;
}
