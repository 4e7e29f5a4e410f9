import { createHash, verify as verifySignature, type KeyObject } from 'node:crypto';
import { createReadStream, readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { CERTIFICATE_TYP, publicStatuses, signedStatusClaimsSchema, STATUS_TYP } from '@cabc/contracts';
import { publicKeyFromJwk } from '@cabc/crypto';
import { durationOption } from '../duration-option.ts';

interface CertVerifyOptions {
  jwks: string;
  statusUrl?: string;
  offline?: boolean;
  issuer?: string;
  json?: boolean;
  timeout: string;
  /** sha256 (hex) of the model or dataset file to check against the certificate's pinned artifacts. */
  subject?: string;
  /** A file whose sha256 is checked, like --subject. */
  subjectFile?: string;
}

type Verdict =
  | 'good'
  | 'suspended'
  | 'revoked'
  | 'expired'
  | 'withdrawn'
  | 'unknown'
  | 'not_yet_valid'
  | 'invalid'
  | 'not_certified_subject'
  /** --offline: signature, type and validity hold; the status was not checked (exit 0, never `good`). */
  | 'signature_valid';

interface Report {
  verdict: Verdict;
  /** True only for verdict `good`: signature, type and validity hold and a fresh, signed, bound status says good. */
  valid: boolean;
  signature: { valid: boolean; kid: string | null; alg: string | null; typ: string | null; error: string | null };
  claims: Record<string, unknown> | null;
  validity: { notBefore: string | null; expiresAt: string | null; checkedAt: string; current: boolean };
  status: {
    checked: boolean;
    url: string | null;
    /** The verified claims of the signed status answer (typ cabc-status+jwt). */
    answer: Record<string, unknown> | null;
    /** Why no fresh, signed status about this certificate could be had: the verdict is then `unknown`. */
    error: string | null;
  };
  /** With --subject / --subject-file: whether that digest is an artifact the certificate is about. */
  subject: { sha256: string; certified: boolean; artifact: { kind: string; name: string } | null } | null;
}

interface PinnedArtifact {
  name: string;
  sha256: string;
}

/** The artifact of the certificate claims with this digest, if any. */
function certifiedArtifact(claims: Record<string, unknown>, sha256: string): { kind: string; name: string } | null {
  const artifacts = (claims.artifacts ?? {}) as { models?: PinnedArtifact[]; datasets?: PinnedArtifact[] };
  for (const [kind, list] of [
    ['model', artifacts.models],
    ['dataset', artifacts.datasets],
  ] as const) {
    const found = (Array.isArray(list) ? list : []).find((artifact) => artifact?.sha256?.toLowerCase() === sha256);
    if (found) return { kind, name: String(found.name) };
  }
  return null;
}

/** The sha256 (hex) of a file, read as a stream (model files are large). */
export async function sha256OfFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

const isUrl = (text: string) => /^https?:\/\//i.test(text);

function readToken(argument: string): string {
  if (argument === '-') return readFileSync(0, 'utf8').trim();
  if (argument.startsWith('@')) return readFileSync(argument.slice(1), 'utf8').trim();
  return argument.trim();
}

async function loadJwks(source: string, timeoutMs: number): Promise<{ kid?: string; [member: string]: unknown }[]> {
  let text: string;
  if (isUrl(source)) {
    const response = await fetch(source, {
      signal: AbortSignal.timeout(timeoutMs),
      headers: { accept: 'application/json' },
    });
    if (!response.ok) throw new Error(`JWKS ${source} answered HTTP ${response.status}`);
    text = await response.text();
  } else {
    text = readFileSync(source, 'utf8');
  }
  const parsed = JSON.parse(text) as { keys?: unknown };
  if (!parsed || !Array.isArray(parsed.keys)) throw new Error(`${source} is not a JWKS (expected {"keys": [...]})`);
  return parsed.keys as { kid?: string }[];
}

function decodeJson(part: string, what: string): Record<string, unknown> {
  try {
    const value = JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as unknown;
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // fall through
  }
  throw new Error(`the ${what} is not base64url JSON`);
}

/** The status URL: --status-url, else the certificate's own `status.url`, else beside the JWKS URL. */
function statusUrlOf(options: CertVerifyOptions, claims: Record<string, unknown>, id: string): string | null {
  if (options.statusUrl)
    return new URL(
      `v1/status/${encodeURIComponent(id)}`,
      options.statusUrl.endsWith('/') ? options.statusUrl : `${options.statusUrl}/`,
    ).toString();
  const claimed = (claims.status as { url?: unknown } | undefined)?.url;
  if (typeof claimed === 'string' && isUrl(claimed)) return claimed;
  if (isUrl(options.jwks)) {
    const base = options.jwks.replace(/\/\.well-known\/jwks\.json(\?.*)?$/, '/');
    if (base !== options.jwks) return new URL(`v1/status/${encodeURIComponent(id)}`, base).toString();
  }
  return null;
}

const seconds = (value: unknown) =>
  typeof value === 'number' && Number.isFinite(value) ? new Date(value * 1000) : null;

export async function verifyCertificate(token: string, options: CertVerifyOptions, now = new Date()): Promise<Report> {
  const timeoutMs = durationOption(options.timeout);
  const report: Report = {
    verdict: 'invalid',
    valid: false,
    signature: { valid: false, kid: null, alg: null, typ: null, error: null },
    claims: null,
    validity: { notBefore: null, expiresAt: null, checkedAt: now.toISOString(), current: false },
    status: { checked: false, url: null, answer: null, error: null },
    subject: null,
  };
  const parts = token.split('.');
  if (parts.length !== 3 || parts.some((part) => !/^[A-Za-z0-9_-]*$/.test(part))) {
    report.signature.error = 'not a compact JWS (three base64url parts separated by dots)';
    return report;
  }
  const [headerPart, payloadPart, signaturePart] = parts as [string, string, string];
  let header: Record<string, unknown>;
  try {
    header = decodeJson(headerPart, 'header');
    report.claims = decodeJson(payloadPart, 'payload');
  } catch (error) {
    report.signature.error = (error as Error).message;
    return report;
  }
  report.signature.kid = typeof header.kid === 'string' ? header.kid : null;
  report.signature.alg = typeof header.alg === 'string' ? header.alg : null;
  report.signature.typ = typeof header.typ === 'string' ? header.typ : null;
  if (header.alg !== 'EdDSA') {
    report.signature.error = `alg ${String(header.alg)} is not EdDSA`;
    return report;
  }
  if (header.typ !== CERTIFICATE_TYP) {
    report.signature.error = `typ ${String(header.typ)} is not ${CERTIFICATE_TYP}: not a certificate`;
    return report;
  }
  const jwks = await loadJwks(options.jwks, timeoutMs);
  const checked = signatureVerifies(jwks, report.signature.kid, [headerPart, payloadPart, signaturePart]);
  if (checked !== true) {
    report.signature.error =
      checked === 'no_key'
        ? `no Ed25519 key${report.signature.kid ? ` with kid ${report.signature.kid}` : ''} in ${options.jwks}`
        : 'the signature does not verify against the JWKS';
    return report;
  }
  report.signature.valid = true;
  const claims = report.claims!;
  if (options.issuer && claims.iss !== options.issuer) {
    report.signature.error = `issuer ${String(claims.iss)} is not the expected ${options.issuer}`;
    return report;
  }
  const notBefore = seconds(claims.nbf) ?? seconds(claims.iat);
  const expiresAt = seconds(claims.exp);
  report.validity.notBefore = notBefore?.toISOString() ?? null;
  report.validity.expiresAt = expiresAt?.toISOString() ?? null;
  if (!expiresAt) {
    report.signature.error = 'the certificate has no exp claim';
    return report;
  }
  if (notBefore && now < notBefore) {
    report.verdict = 'not_yet_valid';
    return report;
  }
  if (now >= expiresAt) {
    report.verdict = 'expired';
    return report;
  }
  report.validity.current = true;
  if (options.subject !== undefined) {
    const sha256 = options.subject.toLowerCase().replace(/^sha256:/, '');
    const artifact = certifiedArtifact(claims, sha256);
    report.subject = { sha256, certified: artifact !== null, artifact };
    if (!artifact) {
      report.verdict = 'not_certified_subject';
      return report;
    }
  }
  const id = typeof claims.sub === 'string' ? claims.sub : '';
  if (options.offline) {
    report.verdict = 'signature_valid';
    return report;
  }
  report.status.url = statusUrlOf(options, claims, id);
  report.status.checked = true;
  report.verdict = 'unknown';
  if (!report.status.url) {
    report.status.error =
      'no status URL (the certificate names none and --jwks is not a URL): give --status-url, or --offline';
    return report;
  }
  try {
    report.status.answer = await fetchSignedStatus(report.status.url, timeoutMs, jwks, {
      certificateId: id,
      certificateDigest: createHash('sha256').update(token).digest('hex'),
      issuer: typeof claims.iss === 'string' ? claims.iss : undefined,
      now,
    });
  } catch (error) {
    report.status.error = `status ${report.status.url}: ${error instanceof Error ? error.message : String(error)}`;
    return report;
  }
  const status = String(report.status.answer.status);
  report.verdict = publicStatuses.find((known) => known === status) ?? 'unknown';
  report.valid = report.verdict === 'good';
  return report;
}

type Jwk = { kid?: string; [member: string]: unknown };

/** Whether one of the JWKS's Ed25519 keys (with the header's kid, when it names one) signed the compact JWS. */
function signatureVerifies(jwks: Jwk[], kid: string | null, [header, payload, signature]: [string, string, string]) {
  const candidates: KeyObject[] = [];
  for (const jwk of jwks) {
    if (kid !== null && jwk.kid !== kid) continue;
    try {
      candidates.push(publicKeyFromJwk(jwk));
    } catch {
      // not an Ed25519 public key: cannot have signed this
    }
  }
  if (candidates.length === 0) return 'no_key' as const;
  const signed = Buffer.from(`${header}.${payload}`, 'ascii');
  const bytes = Buffer.from(signature, 'base64url');
  return candidates.some((key) => verifySignature(null, signed, key, bytes)) || ('bad_signature' as const);
}

/** Seconds a status answer may be dated ahead of this clock (clock difference with the certification body). */
const STATUS_CLOCK_TOLERANCE_SECONDS = 60;

/**
 * The signed status answer (typ cabc-status+jwt) at `url`, verified like an OCSP response: signature against the
 * certification body's JWKS, issuer, bound to this certificate (id and sha256 of its JWT), and fresh (thisUpdate not
 * ahead of this clock, nextUpdate not passed). Throws why, when any of it fails: the caller then says `unknown`.
 */
async function fetchSignedStatus(
  url: string,
  timeoutMs: number,
  jwks: Jwk[],
  expected: { certificateId: string; certificateDigest: string; issuer: string | undefined; now: Date },
): Promise<Record<string, unknown>> {
  const response = await fetch(url, {
    signal: AbortSignal.timeout(timeoutMs),
    headers: { accept: 'application/jwt' },
  });
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  const token = (await response.text()).trim();
  const parts = token.split('.');
  if (parts.length !== 3) throw new Error('the answer is not a signed status (compact JWS)');
  const header = decodeJson(parts[0]!, 'status header');
  if (header.alg !== 'EdDSA' || header.typ !== STATUS_TYP)
    throw new Error(`the answer is not a ${STATUS_TYP} (alg ${String(header.alg)}, typ ${String(header.typ)})`);
  const kid = typeof header.kid === 'string' ? header.kid : null;
  if (signatureVerifies(jwks, kid, parts as [string, string, string]) !== true)
    throw new Error('the status signature does not verify against the JWKS');
  const parsed = signedStatusClaimsSchema.safeParse(decodeJson(parts[1]!, 'status payload'));
  if (!parsed.success) throw new Error(`the status claims are malformed: ${parsed.error.issues[0]?.message}`);
  const claims = parsed.data;
  if (expected.issuer !== undefined && claims.iss !== expected.issuer)
    throw new Error(`the status is signed by issuer ${claims.iss}, the certificate by ${expected.issuer}`);
  if (claims.sub !== expected.certificateId || claims.certificateId !== expected.certificateId)
    throw new Error(`the status is about certificate ${claims.sub}, not ${expected.certificateId}`);
  if (claims.status !== 'unknown' && claims.certificateDigest !== expected.certificateDigest)
    throw new Error(
      `the status is about a certificate with sha256 ${String(claims.certificateDigest)}, not this one (${expected.certificateDigest})`,
    );
  const nowSeconds = expected.now.getTime() / 1000;
  if (claims.iat > nowSeconds + STATUS_CLOCK_TOLERANCE_SECONDS)
    throw new Error(`the status is dated ${claims.thisUpdate}, in the future`);
  if (claims.nextUpdate !== null && Date.parse(claims.nextUpdate) <= expected.now.getTime())
    throw new Error(`the status is stale (nextUpdate ${claims.nextUpdate} has passed)`);
  return claims;
}

function human(report: Report): string {
  const claims = report.claims ?? {};
  const scope = (claims.scope ?? {}) as { version?: unknown; digest?: unknown };
  const requirements = (claims.requirements ?? {}) as {
    total?: unknown;
    critical?: unknown;
    items?: { id: string; title: string; critical: boolean }[];
  };
  const lines = [
    `certificate   ${String(claims.sub ?? '?')}`,
    `signature     ${report.signature.valid ? `valid (EdDSA, kid ${report.signature.kid ?? '?'}, issuer ${String(claims.iss ?? '?')})` : `INVALID: ${report.signature.error}`}`,
  ];
  if (report.signature.valid) {
    lines.push(
      `ToE           ${String(claims.toe ?? '?')}${claims.toeName ? ` (${String(claims.toeName)})` : ''}${claims.org ? `, organization ${String(claims.org)}` : ''}`,
      `scope         ${scope.version === null || scope.version === undefined ? 'none' : `version ${String(scope.version)}`}${scope.digest ? `, sha256 ${String(scope.digest)}` : ''}`,
      `requirements  ${String(requirements.total ?? 0)} (${String(requirements.critical ?? 0)} critical)`,
      ...(requirements.items ?? []).map(
        (item) => `                ${item.critical ? '!' : '-'} ${item.id}: ${item.title}`,
      ),
      `validity      ${report.validity.notBefore ?? '?'} → ${report.validity.expiresAt ?? '?'}${report.validity.current ? '' : ' (not valid now)'}`,
      ...artifactLines(claims),
    );
  }
  if (report.subject) {
    lines.push(
      report.subject.certified
        ? `subject       sha256 ${report.subject.sha256}: the certified ${report.subject.artifact?.kind} ${report.subject.artifact?.name}`
        : `subject       sha256 ${report.subject.sha256}: NOT an artifact this certificate is about`,
    );
  }
  if (report.status.checked) {
    const answer = report.status.answer;
    lines.push(
      answer
        ? `status        ${String(answer.status)}${answer.reason ? ` (reason ${String(answer.reasonCode)} ${String(answer.reason)})` : ''}, signed, thisUpdate ${String(answer.thisUpdate)}, nextUpdate ${String(answer.nextUpdate)}`
        : `status        UNKNOWN: ${report.status.error}`,
    );
  } else if (report.verdict === 'signature_valid') {
    lines.push('status        NOT CHECKED (--offline: signature and validity only; the certificate may be revoked)');
  }
  lines.push(`verdict       ${report.verdict.toUpperCase()}`);
  return `${lines.join('\n')}\n`;
}

function artifactLines(claims: Record<string, unknown>): string[] {
  const artifacts = (claims.artifacts ?? {}) as { models?: PinnedArtifact[]; datasets?: PinnedArtifact[] };
  const entries = [
    ...(artifacts.models ?? []).map((artifact) => `model ${artifact.name} sha256 ${artifact.sha256}`),
    ...(artifacts.datasets ?? []).map((artifact) => `dataset ${artifact.name} sha256 ${artifact.sha256}`),
  ];
  if (entries.length === 0) return ['artifacts     none pinned by the approved scope'];
  return entries.map((entry, index) => `${index === 0 ? 'artifacts     ' : '              '}${entry}`);
}

/**
 * `cabc cert verify <jwt> --jwks <file|url> [--status-url <base>] [--offline] [--json]`: exit 0 only when valid and a
 * fresh signed status says good, or with --offline when signature and validity hold (verdict signature_valid).
 */
export function registerCertVerifyCommand(program: Command): void {
  const cert = program.command('cert').description('certificates issued by the certification body');
  cert
    .command('verify')
    .description('verify a certificate offline against a JWKS (file or URL) and print its claims and live status')
    .argument('<jwt>', 'the certificate JWT, @file to read it from a file, or - for stdin')
    .requiredOption('--jwks <file|url>', "the certification body's JWKS: a file, or its /.well-known/jwks.json URL")
    .option(
      '--status-url <base>',
      'base URL of the certification body, whose /v1/status/<id> is asked (default: the certificate status.url, or beside a JWKS URL)',
    )
    .option('--offline', 'check signature and validity only, never the status (verdict SIGNATURE_VALID, not GOOD)')
    .option('--issuer <iss>', 'the issuer the certificate must name')
    .option('--timeout <duration>', 'for fetching the JWKS and the status', '10s')
    .option('--subject <sha256>', 'also check that this model or dataset digest is one the certificate is about')
    .option('--subject-file <path>', 'like --subject, with the sha256 of this file')
    .option('--json', 'print a JSON report')
    .action(async (jwt: string, options: CertVerifyOptions) => {
      let report: Report;
      try {
        if (options.subject !== undefined && !/^(sha256:)?[0-9a-fA-F]{64}$/.test(options.subject)) {
          throw new Error('--subject: expected a sha256 digest (64 hex characters)');
        }
        if (options.subjectFile !== undefined) {
          if (options.subject !== undefined) throw new Error('give --subject or --subject-file, not both');
          options.subject = await sha256OfFile(options.subjectFile);
        }
        report = await verifyCertificate(readToken(jwt), options);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        if (options.json)
          process.stdout.write(`${JSON.stringify({ verdict: 'invalid', valid: false, error: message }, null, 2)}\n`);
        else process.stderr.write(`cabc: ${message}\n`);
        process.exitCode = 1;
        return;
      }
      process.stdout.write(options.json ? `${JSON.stringify(report, null, 2)}\n` : human(report));
      process.exitCode = report.valid || report.verdict === 'signature_valid' ? 0 : 1;
    });
}
