import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import {
  defaultAudiences,
  defaultServiceOfRole,
  loadOrCreateLocalIssuer,
  mintToken,
  roles,
  serviceNames,
  type Role,
  type ServiceName,
} from '@cabc/auth';
import { durationOption } from '../duration-option.ts';

/** The checkout this file runs from, or undefined when it runs from the standalone package (bundled elsewhere). */
function checkoutRoot(from: string): string | undefined {
  for (let directory = from; ; directory = path.dirname(directory)) {
    if (existsSync(path.join(directory, 'packages', 'cli', 'src', 'commands', 'token.ts'))) return directory;
    if (path.dirname(directory) === directory) return undefined;
  }
}

/**
 * The local platform's issuer key: CABC_ISSUER_KEY_FILE, else `.data/local-issuer.json` of the checkout (where
 * `./scripts/run-platform.sh` keeps it), else of the current folder when installed from the package.
 */
const defaultIssuerKeyFile =
  process.env.CABC_ISSUER_KEY_FILE ??
  path.join(checkoutRoot(import.meta.dirname) ?? process.cwd(), '.data', 'local-issuer.json');

/**
 * `cabc token --role auditor --org acme [--service assessment]`: a bearer token from the local issuer for one service
 * (its audience), printed on stdout. Each service refuses tokens of the others, so the default service follows the
 * role: pipeline → collector, auditee and auditor → assessment, certification_body → certification-body, admin →
 * collector. `--service all` prints one token per service on one line (the dashboard's sign-in takes them all).
 */
export function registerTokenCommand(program: Command): void {
  program
    .command('token')
    .description('mint a bearer token from the local issuer (development and tests)')
    .requiredOption('--role <role>', `one of ${roles.join(', ')}`)
    .requiredOption('--org <org>', 'the organization the token is scoped to')
    .option('--sub <subject>', 'who the token is for', 'local-user')
    .option('--ttl <duration>', 'lifetime, e.g. 30m, 8h, 7d', '8h')
    .option(
      '--issuer-key <file>',
      'the local issuer key file (the one the local platform trusts)',
      defaultIssuerKeyFile,
    )
    .option('--issuer <name>', 'the token issuer (iss)', 'cabc-local')
    .option(
      '--service <service>',
      `the service the token is for: ${serviceNames.join(', ')}, or all (default: the role's usual service)`,
    )
    .option('--audience <name>', 'the token audience (aud), overriding the one of --service')
    .action(
      async (options: {
        role: string;
        org: string;
        sub: string;
        ttl: string;
        issuerKey: string;
        issuer: string;
        service?: string;
        audience?: string;
      }) => {
        if (!(roles as readonly string[]).includes(options.role)) {
          throw new Error(`--role must be one of ${roles.join(', ')}`);
        }
        const role = options.role as Role;
        const service = options.service ?? defaultServiceOfRole[role];
        if (service !== 'all' && !(serviceNames as readonly string[]).includes(service)) {
          throw new Error(`--service must be one of ${serviceNames.join(', ')}, all`);
        }
        const audiences = options.audience
          ? [options.audience]
          : service === 'all'
            ? serviceNames.map((name) => defaultAudiences[name])
            : [defaultAudiences[service as ServiceName]];
        const key = await loadOrCreateLocalIssuer(options.issuerKey);
        const tokens = await Promise.all(
          audiences.map((audience) =>
            mintToken({
              issuer: options.issuer,
              audience,
              subject: options.sub,
              org: options.org,
              role,
              ttlSeconds: Math.floor(durationOption(options.ttl) / 1000),
              key,
            }),
          ),
        );
        process.stdout.write(`${tokens.join(' ')}\n`);
      },
    );
}
