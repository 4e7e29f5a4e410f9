import type { Check, ResourceDescriptor } from '@cabc/contracts';
import { buildEvidence } from '../evidence/build-evidence.ts';
import { requireRecord } from '../evidence/field-readers.ts';
import { check, measurement } from '../evidence/items.ts';
import { presenceChecks } from '../evidence/presence-checks.ts';
import { clipText } from '../evidence/text.ts';
import { isoFromText } from '../evidence/timestamps.ts';
import { arrayOf, isRecord, textOf, textsOf, type JsonRecord } from '../evidence/values.ts';
import type { FormatAdapter } from '../format-adapter.ts';
import { childPath } from '../parsing/json-path.ts';

const croissantNamespace = /mlcommons\.org\/(?:croissant|schema)/;
const sha256Pattern = /^[0-9a-fA-F]{64}$/;
const md5Pattern = /^[0-9a-fA-F]{32}$/;

/** JSON-LD lets a property appear compacted (`recordSet`) or prefixed (`cr:recordSet`, `sc:name`, 0.8's `ml:`). */
function property(node: JsonRecord, name: string): unknown {
  return node[name] ?? node[`cr:${name}`] ?? node[`sc:${name}`] ?? node[`ml:${name}`] ?? node[`schema:${name}`];
}

function hasType(node: JsonRecord, type: string): boolean {
  return textsOf(node['@type']).some((value) => value === type || value.endsWith(`:${type}`));
}

function isCroissant(value: unknown): value is JsonRecord {
  if (!isRecord(value)) return false;
  const context = JSON.stringify(value['@context'] ?? null);
  return croissantNamespace.test(context) || croissantNamespace.test(textOf(property(value, 'conformsTo')) ?? '');
}

interface FileDigest {
  subject?: ResourceDescriptor;
  check: Check;
}

/**
 * in-toto subjects need a sha256, so a FileObject with only an md5 is reported (warn) but cannot be a subject;
 * a sha256 that is not 64 hex digits fails.
 */
function fileDigest(file: JsonRecord, index: number): FileDigest {
  const name = textOf(property(file, 'name')) ?? textOf(file['@id']) ?? `file ${index}`;
  const sha256 = textOf(property(file, 'sha256'));
  const md5 = textOf(property(file, 'md5'));
  const label = `sha256:${name}`;
  if (sha256 === undefined) {
    const detail = md5 ? 'only an md5 digest: cannot be bound as a subject' : 'no digest';
    return { check: check(label, 'warn', detail) };
  }
  if (!sha256Pattern.test(sha256)) return { check: check(label, 'fail', `"${sha256}" is not a sha256 digest`) };
  const digest: Record<string, string> = { sha256: sha256.toLowerCase() };
  if (md5 && md5Pattern.test(md5)) digest.md5 = md5.toLowerCase();
  const uri = textOf(property(file, 'contentUrl'));
  const subject = { name: clipText(name, 512), ...(uri ? { uri: clipText(uri, 2048) } : {}), digest };
  return { subject, check: check(label, 'pass') };
}

export const croissantAdapter: FormatAdapter = {
  id: 'croissant',
  title: 'Croissant dataset metadata (JSON-LD, 1.0; 0.8 tolerated)',
  syntax: 'json',
  mediaType: 'application/ld+json',
  kinds: ['dataset'],
  detection: 'a JSON-LD object whose `@context` or `conformsTo` names the mlcommons.org Croissant vocabulary',
  matches: isCroissant,
  adapt(value, context) {
    if (!isCroissant(value)) return [];
    const distribution = arrayOf(property(value, 'distribution')).map((item, index) =>
      requireRecord(item, childPath('distribution', index)),
    );
    const files = distribution.filter((item) => hasType(item, 'FileObject'));
    const digests = files.map(fileDigest);
    const recordSets = arrayOf(property(value, 'recordSet')).map((item, index) =>
      requireRecord(item, childPath('recordSet', index)),
    );
    const fieldCounts = recordSets.map((recordSet, index) => ({
      name: textOf(property(recordSet, 'name')) ?? textOf(recordSet['@id']) ?? `record set ${index}`,
      fields: arrayOf(property(recordSet, 'field')).length,
    }));
    const name = textOf(property(value, 'name'));
    const conformsTo = textOf(property(value, 'conformsTo'));
    const texts: [string, unknown][] = [
      ['name', name],
      ['version', property(value, 'version')],
      ['conforms_to', conformsTo],
      ['url', property(value, 'url')],
    ];
    return [
      buildEvidence(context, {
        kind: 'dataset',
        producer: {
          tool: 'croissant',
          toolVersion: conformsTo ? /croissant\/([\w.]+)/.exec(conformsTo)?.[1] : undefined,
          uri: textOf(property(value, 'url')),
        },
        observedAt:
          isoFromText(property(value, 'dateModified')) ??
          isoFromText(property(value, 'datePublished')) ??
          isoFromText(property(value, 'dateCreated')),
        context: { dataset: name },
        measurements: [
          ...texts.flatMap(([label, text]) => (textOf(text) === undefined ? [] : [measurement(label, textOf(text))])),
          ...textsOf(property(value, 'license')).map((license) => measurement('license', license)),
          measurement('file_objects', files.length),
          measurement('file_sets', distribution.filter((item) => hasType(item, 'FileSet')).length),
          measurement('record_sets', recordSets.length),
          measurement(
            'fields',
            fieldCounts.reduce((total, recordSet) => total + recordSet.fields, 0),
          ),
          ...fieldCounts.map((recordSet) => measurement('fields', recordSet.fields, { slice: recordSet.name })),
          measurement('rai_properties', Object.keys(value).filter((key) => key.startsWith('rai:')).length),
        ],
        checks: [
          ...presenceChecks({
            description: property(value, 'description'),
            license: property(value, 'license'),
            citeAs: property(value, 'citeAs'),
            version: property(value, 'version'),
          }),
          ...digests.map((digest) => digest.check),
        ],
        subjects: digests.flatMap((digest) => (digest.subject ? [digest.subject] : [])),
      }),
    ];
  },
};
