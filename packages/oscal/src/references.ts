import type { OscalDocument, OscalModel } from './bundle.ts';

/** Which model each import points at. */
const imports: { key: string; model: OscalModel[] }[] = [
  { key: 'import-ap', model: ['assessment-plan'] },
  { key: 'import-ssp', model: ['system-security-plan'] },
  { key: 'import-profile', model: ['profile'] },
];

const uuidReferenceKeys = new Set([
  'subject-uuid',
  'component-uuid',
  'actor-uuid',
  'observation-uuid',
  'risk-uuid',
  'finding-uuid',
  'activity-uuid',
  'task-uuid',
  'implementation-statement-uuid',
  'party-uuids',
]);

interface Index {
  uuids: Set<string>;
  ids: Set<string>;
  roles: Set<string>;
}

function walk(value: unknown, visit: (key: string, member: unknown, path: string) => void, path = ''): void {
  if (Array.isArray(value)) value.forEach((item, index) => walk(item, visit, `${path}[${index}]`));
  else if (value && typeof value === 'object') {
    for (const [key, member] of Object.entries(value)) {
      visit(key, member, `${path}.${key}`);
      walk(member, visit, `${path}.${key}`);
    }
  }
}

function indexOf(document: OscalDocument): Index {
  const index: Index = { uuids: new Set(), ids: new Set(), roles: new Set() };
  walk(document.json, (key, member, path) => {
    if (key === 'uuid' && typeof member === 'string') index.uuids.add(member);
    if (key === 'id' && typeof member === 'string') {
      index.ids.add(member);
      if (/\.roles\[\d+\]\.id$/.test(path)) index.roles.add(member);
    }
  });
  return index;
}

/** Where a document's imports lead, itself first: AR → AP → SSP → profile → catalog. */
function importChain(start: OscalDocument, byFile: Map<string, OscalDocument>): OscalDocument[] {
  const chain: OscalDocument[] = [];
  const queue = [start];
  while (queue.length > 0) {
    const document = queue.shift()!;
    if (chain.includes(document)) continue;
    chain.push(document);
    const root = Object.values(document.json)[0] as Record<string, unknown>;
    for (const { key } of imports) {
      const href = (root[key] as { href?: string } | undefined)?.href;
      const next = href ? byFile.get(href) : undefined;
      if (next) queue.push(next);
    }
    for (const entry of (root.imports as { href?: string }[] | undefined) ?? []) {
      const next = entry.href ? byFile.get(entry.href) : undefined;
      if (next) queue.push(next);
    }
  }
  return chain;
}

/**
 * Every reference of the bundle that must resolve inside it: imports (import-ap, import-ssp, import-profile,
 * profile imports) name a file of the bundle of the right model; UUID references (subjects, components, actors,
 * observations, risks, findings, activities, tasks, SSP statements, parties) and control, statement and objective
 * ids resolve in the document or along its imports; `#uuid` links name a back-matter resource; `file#id` links name
 * a file of the bundle and an id in it. Returns what does not resolve (empty when everything does).
 */
export function unresolvedReferences(documents: OscalDocument[]): string[] {
  const problems: string[] = [];
  const byFile = new Map(documents.map((document) => [document.file, document]));
  const indexes = new Map(documents.map((document) => [document, indexOf(document)]));
  for (const document of documents) {
    const root = Object.values(document.json)[0] as Record<string, unknown>;
    for (const { key, model } of imports) {
      const href = (root[key] as { href?: string } | undefined)?.href;
      if (href === undefined) continue;
      const target = byFile.get(href);
      if (!target) problems.push(`${document.file}: ${key} ${href} is not in the bundle`);
      else if (!model.includes(target.model)) problems.push(`${document.file}: ${key} ${href} is a ${target.model}`);
    }
    for (const entry of (root.imports as { href?: string }[] | undefined) ?? []) {
      const target = entry.href ? byFile.get(entry.href) : undefined;
      if (!target) problems.push(`${document.file}: imports ${entry.href} is not in the bundle`);
      else if (target.model !== 'catalog' && target.model !== 'profile') {
        problems.push(`${document.file}: imports ${entry.href} is a ${target.model}`);
      }
    }
    const chain = importChain(document, byFile).map((member) => indexes.get(member)!);
    const own = indexes.get(document)!;
    const resources = new Set(
      ((root['back-matter'] as { resources?: { uuid: string }[] } | undefined)?.resources ?? []).map(
        (resource) => resource.uuid,
      ),
    );
    const hasUuid = (uuid: string) => chain.some((index) => index.uuids.has(uuid));
    const hasId = (id: string) => chain.some((index) => index.ids.has(id));
    walk(document.json, (key, member, path) => {
      const where = `${document.file}${path}`;
      if (uuidReferenceKeys.has(key)) {
        for (const uuid of Array.isArray(member) ? member : [member]) {
          if (typeof uuid === 'string' && !hasUuid(uuid)) problems.push(`${where}: ${key} ${uuid} resolves nowhere`);
        }
      }
      if (
        (key === 'control-id' || key === 'statement-id' || key === 'target-id') &&
        typeof member === 'string' &&
        !hasId(member)
      ) {
        problems.push(`${where}: ${key} ${member} resolves nowhere`);
      }
      if (key === 'role-id' && typeof member === 'string' && !own.roles.has(member)) {
        problems.push(`${where}: role ${member} is not in the metadata`);
      }
      if (
        key === 'href' &&
        typeof member === 'string' &&
        !/\.(import-ap|import-ssp|import-profile|imports\[\d+\])\.href$/.test(path)
      ) {
        const [file, fragment] = member.split('#', 2) as [string, string | undefined];
        if (/^[a-z][a-z0-9+.-]*:/i.test(member)) return; // an absolute URI: outside the bundle by design
        if (file === '' && fragment !== undefined) {
          const isControlLink = /\.controls\[\d+\]|\.groups\[/.test(path) && own.ids.has(fragment);
          if (!resources.has(fragment) && !isControlLink)
            problems.push(`${where}: #${fragment} is no back-matter resource`);
        } else if (file !== '') {
          const target = byFile.get(file);
          if (!target) problems.push(`${where}: ${file} is not in the bundle`);
          else if (
            fragment !== undefined &&
            !indexes.get(target)!.ids.has(fragment) &&
            !indexes.get(target)!.uuids.has(fragment)
          ) {
            problems.push(`${where}: ${file} has no #${fragment}`);
          }
        }
      }
    });
  }
  return problems;
}
