import type { EvidenceKind } from '@cabc/contracts';
import type { AdaptContext } from './evidence/build-evidence.ts';
import type { FormatId } from './format-ids.ts';
import type { Syntax } from './parsing/parsed-document.ts';
import type { AdaptedEvidence } from './types.ts';

/** One native format: how to recognise it and how to map it. */
export interface FormatAdapter {
  readonly id: FormatId;
  readonly title: string;
  readonly syntax: Syntax;
  /** Media type recorded for the raw artefact when the caller gives none. */
  readonly mediaType: string;
  readonly kinds: readonly EvidenceKind[];
  /** How content detection recognises the format, in words (docs and API listing). */
  readonly detection: string;
  /** File names that suggest the format when content detection is inconclusive. */
  readonly filenameHint?: RegExp;
  /** Content detection on the parsed value (for Markdown, a MarkdownDocument). */
  matches(value: unknown): boolean;
  adapt(value: unknown, context: AdaptContext): AdaptedEvidence[];
}
