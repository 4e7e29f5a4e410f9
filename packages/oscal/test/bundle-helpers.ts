import type { OscalBundle, OscalDocument } from '../src/index.ts';

/** The document of the bundle under that file name (the test fails when there is none). */
export function documentOf(bundle: OscalBundle, file: string): OscalDocument {
  const document = bundle.documents.find((entry) => entry.file === file);
  if (!document)
    throw new Error(`the bundle has no ${file}: ${bundle.documents.map((entry) => entry.file).join(', ')}`);
  return document;
}

/** The document's root object (its single top-level member), typed loosely for assertions. */
export function rootOf(bundle: OscalBundle, file: string): any {
  return Object.values(documentOf(bundle, file).json)[0];
}

/** A deep copy of the bundle with one document changed by `change`, for tests that plant a fault. */
export function withChange(bundle: OscalBundle, file: string, change: (root: any) => void): OscalBundle {
  const copy = structuredClone(bundle);
  change(Object.values(documentOf(copy, file).json)[0]);
  return copy;
}
