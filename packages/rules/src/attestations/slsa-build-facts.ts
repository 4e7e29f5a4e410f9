/** Predicate types of SLSA build provenance the rules read (v1 and the older v0.2 of slsa-github-generator). */
export const SLSA_PROVENANCE_V1 = 'https://slsa.dev/provenance/v1';
export const SLSA_PROVENANCE_V02 = 'https://slsa.dev/provenance/v0.2';

export interface BuildFacts {
  builder: string | undefined;
  buildType: string | undefined;
  /** Source repositories, normalized (see normalizeRepository). */
  repositories: string[];
}

const record = (value: unknown): Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);
const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

/** `git+https://github.com/acme/model@refs/heads/main` and `https://github.com/acme/model.git/` are the same repo. */
export function normalizeRepository(uri: string): string {
  let value = uri.trim().replace(/^git\+/, '');
  const scheme = value.indexOf('://');
  const pathStart = value.indexOf('/', scheme < 0 ? 0 : scheme + 3);
  const at = pathStart < 0 ? -1 : value.indexOf('@', pathStart);
  if (at >= 0) value = value.slice(0, at);
  return value
    .replace(/\/+$/, '')
    .replace(/\.git$/, '')
    .toLowerCase();
}

/** Builder, build type and source repositories of SLSA provenance; undefined for any other predicate type. */
export function buildFactsOf(predicateType: string, predicate: unknown): BuildFacts | undefined {
  const body = record(predicate);
  if (predicateType === SLSA_PROVENANCE_V1) {
    const definition = record(body.buildDefinition);
    const external = record(definition.externalParameters);
    const sources = [
      text(record(external.workflow).repository),
      text(external.repository),
      text(external.source),
      ...list(definition.resolvedDependencies).map((dependency) => text(record(dependency).uri)),
    ];
    return {
      builder: text(record(record(body.runDetails).builder).id),
      buildType: text(definition.buildType),
      repositories: unique(sources),
    };
  }
  if (predicateType === SLSA_PROVENANCE_V02) {
    const invocation = record(body.invocation);
    const sources = [
      text(record(invocation.configSource).uri),
      ...list(body.materials).map((material) => text(record(material).uri)),
    ];
    return {
      builder: text(record(body.builder).id),
      buildType: text(body.buildType),
      repositories: unique(sources),
    };
  }
  return undefined;
}

function unique(uris: (string | undefined)[]): string[] {
  return [...new Set(uris.filter((uri): uri is string => uri !== undefined).map(normalizeRepository))];
}
