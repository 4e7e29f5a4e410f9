import { verify as verifySignature, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { CERTIFICATE_TYP, publicStatuses } from '@cabc/contracts';
import { publicKeyFromJwk } from '@cabc/crypto';
import { durationOption } from '../duration-option.ts';

interface CertVerifyOptions {
  jwks: string;
  statusUrl?: string;
  offline?: boolean;
  issuer?: string;
  json?: boolean;
  timeout: string;
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
  | 'status_unavailable';

interface Report {
  verdict: Verdict;
  /** True only for verdict `good`: signature, type and validity hold and the live status (when asked) is good. */
  valid: boolean;
  signature: { valid: boolean; kid: string | null; alg: string | null; typ: string | null; error: string | null };
  claims: Record<string, unknown> | null;
  validity: { notBefore: string | null; expiresAt: string | null; checkedAt: string; current: boolean };
  status: { checked: boolean; url: string | null; answer: Record<string, unknown> | null; error: string | null };
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
  const candidates: KeyObject[] = [];
  for (const jwk of jwks) {
    if (report.signature.kid !== null && jwk.kid !== report.signature.kid) continue;
    try {
      candidates.push(publicKeyFromJwk(jwk));
    } catch {
      // not an Ed25519 public key: cannot have signed this
    }
  }
  if (candidates.length === 0) {
    report.signature.error = `no Ed25519 key${report.signature.kid ? ` with kid ${report.signature.kid}` : ''} in ${options.jwks}`;
    return report;
  }
  const signed = Buffer.from(`${headerPart}.${payloadPart}`, 'ascii');
  const signature = Buffer.from(signaturePart, 'base64url');
  report.signature.valid = candidates.some((key) => verifySignature(null, signed, key, signature));
  if (!report.signature.valid) {
    report.signature.error = 'the signature does not verify against the JWKS';
    return report;
  }
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
  const id = typeof claims.sub === 'string' ? claims.sub : '';
  report.status.url = options.offline ? null : statusUrlOf(options, claims, id);
  if (!report.status.url) {
    report.verdict = 'good';
    report.valid = true;
    return report;
  }
  report.status.checked = true;
  try {
    const response = await fetch(report.status.url, {
      signal: AbortSignal.timeout(timeoutMs),
      headers: { accept: 'application/json' },
    });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    report.status.answer = (await response.json()) as Record<string, unknown>;
  } catch (error) {
    report.status.error = `status ${report.status.url}: ${error instanceof Error ? error.message : String(error)}`;
    report.verdict = 'status_unavailable';
    return report;
  }
  const status = String(report.status.answer.status);
  report.verdict = publicStatuses.find((known) => known === status) ?? 'unknown';
  report.valid = report.verdict === 'good';
  return report;
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
    );
  }
  if (report.status.checked) {
    const answer = report.status.answer;
    lines.push(
      answer
        ? `status        ${String(answer.status)}${answer.reason ? ` (reason ${String(answer.reasonCode)} ${String(answer.reason)})` : ''}, thisUpdate ${String(answer.thisUpdate)}, nextUpdate ${String(answer.nextUpdate)}`
        : `status        unavailable: ${report.status.error}`,
    );
  } else if (report.signature.valid && report.validity.current) {
    lines.push('status        not checked (offline: give --status-url for the live status)');
  }
  lines.push(`verdict       ${report.verdict.toUpperCase()}`);
  return `${lines.join('\n')}\n`;
}

/** `cabc cert verify <jwt> --jwks <file|url> [--status-url <base>] [--json]`: exit 0 only when valid and good. */
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
    .option('--offline', 'check signature and validity only; never ask for the live status')
    .option('--issuer <iss>', 'the issuer the certificate must name')
    .option('--timeout <duration>', 'for fetching the JWKS and the status', '10s')
    .option('--json', 'print a JSON report')
    .action(async (jwt: string, options: CertVerifyOptions) => {
      let report: Report;
      try {
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
      process.exitCode = report.valid ? 0 : 1;
    });
}
