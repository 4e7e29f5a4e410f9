import type { EvidencePredicate, ResourceDescriptor } from '@cabc/contracts';
import type { FormatId } from './format-ids.ts';

export interface AdapterInput {
  /** The tool output exactly as the tool wrote it. */
  bytes: Buffer;
  filename?: string;
  mediaType?: string;
}

export interface AdaptOptions {
  /** Skips detection. */
  format?: FormatId;
  /** ISO time used when the file carries none; defaults to the time of the call. */
  observedAt?: string;
}

/** The evidence predicate without `toe` (the collector adds it), plus the subjects the evidence is about. */
export type AdaptedEvidence = Omit<EvidencePredicate, 'toe' | 'raw'> & {
  raw: { digest: { sha256: string }; mediaType: string };
  /** Digests of the artefacts the evidence is about when the format carries them (Croissant file sha256), else []. */
  subjects: ResourceDescriptor[];
};

export interface AdaptResult {
  format: FormatId;
  evidence: AdaptedEvidence[];
  rawSha256: string;
}
