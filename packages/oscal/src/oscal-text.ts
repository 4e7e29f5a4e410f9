import { createHash } from 'node:crypto';

/** The OSCAL release every document of the bundle follows (https://pages.nist.gov/OSCAL/resources/concepts/). */
export const OSCAL_VERSION = '1.1.2';
/** Namespace of CABC's own properties (OSCAL requires a namespace for properties it does not define). */
export const CABC_NS = 'https://cabc.dev/ns/oscal';

/** The UUID namespace of every name-based UUID CABC derives (kept from the first OSCAL export: never change it). */
const NAMESPACE = 'b9f3f0a4-3c52-5e53-9a3c-6b0d7c1f2e10';

/** RFC 4122 name-based (SHA-1, version 5) UUID: the same subject gets the same UUID in every export. */
export function uuidV5(name: string, namespace = NAMESPACE): string {
  const ns = Buffer.from(namespace.replaceAll('-', ''), 'hex');
  const hash = createHash('sha1').update(ns).update(name, 'utf8').digest();
  hash[6] = (hash[6]! & 0x0f) | 0x50;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * The UUID of a whole document: OSCAL asks for a new one whenever the document changes, so it is derived from the
 * document's content (with its uuid left out): the same content always gets the same UUID, any change a new one.
 */
export function documentUuid(kind: string, content: unknown): string {
  return uuidV5(`document:${kind}:${createHash('sha256').update(JSON.stringify(content)).digest('hex')}`);
}

/** An OSCAL token (XML NCName): letters, digits, `.`, `-`, `_`, starting with a letter or `_`. */
export function oscalToken(text: string): string {
  const cleaned = text.replace(/[^\p{L}\p{N}._-]/gu, '_');
  return /^(\p{L}|_)/u.test(cleaned) ? cleaned : `_${cleaned}`;
}

/** OSCAL strings may not be empty nor start or end with white space (nor hold line breaks in a single line). */
export const str = (text: unknown): string | undefined => {
  const value = String(text ?? '')
    .replace(/\s+/g, ' ')
    .trim();
  return value.length > 0 ? value : undefined;
};

/** Like str, for text that must be there: falls back to `fallback`. */
export const text = (value: unknown, fallback: string): string => str(value) ?? fallback;

export interface OscalProp {
  name: string;
  value: string;
  ns?: string;
  class?: string;
}

/** One CABC property, or none when the value is empty. */
export const prop = (name: string, value: unknown, cls?: string): OscalProp[] => {
  const content = str(value);
  return content === undefined
    ? []
    : [{ name, ns: CABC_NS, value: content, ...(cls ? { class: oscalToken(cls) } : {}) }];
};

/** One property OSCAL itself defines (no namespace), e.g. `method`, `marking`. */
export const oscalProp = (name: string, value: string): OscalProp => ({ name, value });

export const nonEmpty = <T>(items: T[]): T[] | undefined => (items.length > 0 ? items : undefined);

/** Drops undefined members, so that optional OSCAL fields are absent rather than null. */
export function compact<T extends Record<string, unknown>>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, member]) => member !== undefined)) as T;
}

export const iso = (date: Date | string): string => new Date(date).toISOString();

/** What a failing requirement leaves unmitigated: the scope's risks it mitigates, or the quality it asks for. */
export function riskStatement(
  risks: { id: string; description: string; likelihood: string; impact: string }[],
  severity: string,
): string {
  if (risks.length === 0) {
    return `While it is not met, the quality the requirement asks for (severity ${severity}) is not assured.`;
  }
  const named = risks.map(
    (risk) => `${risk.id} (${risk.description}; likelihood ${risk.likelihood}, impact ${risk.impact})`,
  );
  return `While it is not met, these risks of the scope are not mitigated: ${named.join('; ')}.`;
}

export const sha256Hex = (content: string | Buffer): string => createHash('sha256').update(content).digest('hex');
