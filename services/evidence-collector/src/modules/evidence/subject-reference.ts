import type { ResourceDescriptor } from '@cabc/contracts';

const pattern = /^(.{1,512})@sha256:([0-9a-fA-F]{64})$/;

/**
 * Reads `name@sha256:<64 hex>` (the way container images and model registries name a digest) into an in-toto
 * subject; returns a message saying what is wrong otherwise.
 */
export function parseSubjectReference(text: string): ResourceDescriptor | string {
  const match = pattern.exec(text.trim());
  if (!match)
    return `expected <name>@sha256:<64 hex digits>, got "${text.length > 80 ? `${text.slice(0, 80)}…` : text}"`;
  return { name: match[1]!, digest: { sha256: match[2]!.toLowerCase() } };
}

/** Subjects from several sources, the first of each sha256 kept, in order. */
export function mergeSubjects(...lists: readonly ResourceDescriptor[][]): ResourceDescriptor[] {
  const seen = new Set<string>();
  const merged: ResourceDescriptor[] = [];
  for (const subject of lists.flat()) {
    const key = subject.digest.sha256!.toLowerCase();
    if (seen.has(key)) continue;
    seen.add(key);
    merged.push(subject);
  }
  return merged;
}
