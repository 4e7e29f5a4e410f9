import { sha256Hex } from '@cabc/crypto';
import { adaptedEvidenceSchema } from './adapted-evidence-schema.ts';
import { AdapterError } from './adapter-error.ts';
import type { AdaptContext } from './evidence/build-evidence.ts';
import { isoFromText } from './evidence/timestamps.ts';
import { withUniqueCheckNames } from './evidence/unique-check-names.ts';
import type { FormatAdapter } from './format-adapter.ts';
import { isFormatId, type FormatId } from './format-ids.ts';
import { adapterFor, adapters } from './format-registry.ts';
import { decodeUtf8 } from './parsing/decode-text.ts';
import { assertNotEmpty, parseAs, sniffSyntax, type ParsedDocument } from './parsing/parsed-document.ts';
import type { AdaptedEvidence, AdapterInput, AdaptOptions, AdaptResult } from './types.ts';
import { invalidFromZod } from './zod-issue-error.ts';

/** Bumped when a mapping changes what existing files produce; recorded in `producer.adapter`. */
const MAPPING_VERSION = 1;

/** The format of the input by content (file name only as a tie-breaker or last resort), or undefined. */
export function detectFormat(input: AdapterInput): FormatId | undefined {
  try {
    const document = parseForDetection(decodeUtf8(input.bytes), input.filename);
    return (matchingAdapter(document, input.filename) ?? hintedAdapter(input.filename))?.id;
  } catch (error) {
    if (error instanceof AdapterError) return hintedAdapter(input.filename)?.id;
    throw error;
  }
}

/** Maps one native tool output to unified evidence items; throws {@link AdapterError}. */
export function adapt(input: AdapterInput, options: AdaptOptions = {}): AdaptResult {
  const fallbackObservedAt = fallbackTime(options.observedAt);
  const forced = options.format === undefined ? undefined : requireAdapter(options.format);
  const rawSha256 = sha256Hex(input.bytes);
  const text = decodeUtf8(input.bytes);
  const { adapter, document } = forced ? parseForced(forced, text) : detect(text, input.filename);
  const context: AdaptContext = {
    raw: { digest: { sha256: rawSha256 }, mediaType: input.mediaType?.trim() || adapter.mediaType },
    fallbackObservedAt,
    adapter: `@cabc/adapters/${adapter.id}@${MAPPING_VERSION}`,
  };
  const evidence = adapter.adapt(document.value, context).map(finalize);
  return { format: adapter.id, evidence, rawSha256 };
}

function fallbackTime(observedAt: string | undefined): string {
  if (observedAt === undefined) return new Date().toISOString();
  const iso = isoFromText(observedAt);
  if (!iso) throw new AdapterError('invalid', 'observedAt: expected an ISO 8601 time', { field: 'observedAt' });
  return iso;
}

function requireAdapter(format: string): FormatAdapter {
  const adapter = isFormatId(format) ? adapterFor(format) : undefined;
  if (!adapter) throw new AdapterError('unknown_format', `unknown format "${format}"`);
  return adapter;
}

function parseForced(adapter: FormatAdapter, text: string): { adapter: FormatAdapter; document: ParsedDocument } {
  const document = parseAs(adapter.syntax, text);
  if (!adapter.matches(document.value)) {
    throw new AdapterError('invalid', `the input is not ${adapter.title}: expected ${adapter.detection}`);
  }
  return { adapter, document };
}

function detect(text: string, filename: string | undefined): { adapter: FormatAdapter; document: ParsedDocument } {
  const document = parseForDetection(text, filename);
  const adapter = matchingAdapter(document, filename);
  if (adapter) return { adapter, document };
  const hinted = hintedAdapter(filename);
  if (hinted) {
    throw new AdapterError('invalid', `${filename} is named like ${hinted.title}, but it has no ${hinted.detection}`);
  }
  throw new AdapterError('unknown_format', 'the input matches none of the known formats');
}

/**
 * JSON-looking text that does not parse is malformed JSON. Other text is tried as YAML, but a YAML error only
 * counts as malformed when the file name says YAML; otherwise the input is simply not a known format.
 */
function parseForDetection(text: string, filename: string | undefined): ParsedDocument {
  assertNotEmpty(text);
  const syntax = sniffSyntax(text);
  if (syntax !== 'yaml') return parseAs(syntax, text);
  try {
    return parseAs(syntax, text);
  } catch (error) {
    const namedYaml = /\.ya?ml$/i.test(filename ?? '') || hintedAdapter(filename)?.syntax === 'yaml';
    if (error instanceof AdapterError && error.code === 'malformed' && !namedYaml) {
      throw new AdapterError('unknown_format', 'the input is neither JSON nor YAML of a known format');
    }
    throw error;
  }
}

function matchingAdapter(document: ParsedDocument, filename: string | undefined): FormatAdapter | undefined {
  const candidates = adapters.filter(
    (adapter) => adapter.syntax === document.syntax && adapter.matches(document.value),
  );
  const hinted = hintedAdapter(filename);
  return candidates.find((adapter) => adapter === hinted) ?? candidates[0];
}

function hintedAdapter(filename: string | undefined): FormatAdapter | undefined {
  if (!filename) return undefined;
  return adapters.find((adapter) => adapter.filenameHint?.test(filename));
}

/** Makes check names unique and holds the result to the predicate schema, so a mapping bug never leaves here. */
function finalize(evidence: AdaptedEvidence, index: number): AdaptedEvidence {
  const candidate = { ...evidence, checks: withUniqueCheckNames(evidence.checks) };
  const parsed = adaptedEvidenceSchema.safeParse(candidate);
  if (!parsed.success) throw invalidFromZod(parsed.error, ['evidence', index]);
  return candidate;
}
