import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import {
  buildOscalBundle,
  bundleZip,
  documentText,
  MANIFEST_FILE,
  OscalBundleInputError,
  unresolvedReferences,
} from '@cabc/oscal';
import { durationOption } from '../duration-option.ts';
import { fetchBundleInput } from './oscal-bundle-source.ts';

interface BundleOptions {
  toe: string;
  assessmentUrl: string;
  certificationBodyUrl?: string;
  scopeVersion?: string;
  from?: string;
  to?: string;
  window?: string;
  out?: string;
  dir?: string;
  token?: string;
  certificationBodyToken?: string;
  timeout: string;
  json?: boolean;
}

/** `cabc oscal bundle`: the OSCAL 1.1.2 bundle of a ToE (docs/oscal.md), as a zip and/or one JSON file per document. */
export function registerOscalCommand(program: Command): void {
  const oscal = program.command('oscal').description('OSCAL 1.1.2 exports for GRC tools');
  oscal
    .command('bundle')
    .description(
      'catalog, profiles, SSP, assessment plan and results of a ToE, and a POA&M while its certificate is suspended',
    )
    .requiredOption('--toe <id>', 'the target of evaluation')
    .requiredOption('--assessment-url <url>', 'the assessment service base URL')
    .option('--certification-body-url <url>', 'the certification body base URL (certificate state, POA&M)')
    .option('--scope-version <n>', 'the approved scope version (default: the one in force)')
    .option('--from <date-time>', 'start of the assessed period (default: the scope’s approval)')
    .option('--to <date-time>', 'end of the assessed period (default: now)')
    .option('--window <duration>', 'length of one evaluation window, one OSCAL result each (default P1D)')
    .option('--out <file.zip>', 'write the bundle as a zip')
    .option('--dir <folder>', 'write each document as its own JSON file (and the manifest)')
    .option('--token <token>', 'bearer token with role auditor for the assessment service (env CABC_TOKEN)')
    .option(
      '--certification-body-token <token>',
      'bearer token for the certification body (env CABC_CERTIFICATION_BODY_TOKEN): each service takes only its own tokens',
    )
    .option('--timeout <duration>', 'timeout of each API call', '30s')
    .option('--json', 'print the manifest as JSON')
    .action(async (options: BundleOptions) => {
      const token = options.token || process.env.CABC_TOKEN;
      if (!token)
        throw new Error(
          'a bearer token is required: --token <t> or CABC_TOKEN (cabc token --role auditor --org <org>)',
        );
      if (!options.out && !options.dir)
        throw new Error('say where the bundle goes: --out <file.zip>, --dir <folder> or both');
      const scopeVersion = options.scopeVersion === undefined ? undefined : Number(options.scopeVersion);
      if (scopeVersion !== undefined && (!Number.isInteger(scopeVersion) || scopeVersion < 1)) {
        throw new Error(`--scope-version must be a positive integer, not ${options.scopeVersion}`);
      }
      const { input, notes } = await fetchBundleInput({
        toe: options.toe,
        assessmentUrl: options.assessmentUrl,
        certificationBodyUrl: options.certificationBodyUrl,
        token,
        certificationBodyToken: options.certificationBodyToken || process.env.CABC_CERTIFICATION_BODY_TOKEN,
        scopeVersion,
        from: options.from,
        to: options.to,
        window: options.window,
        timeoutMs: durationOption(options.timeout),
        now: new Date(),
      });
      let bundle: ReturnType<typeof buildOscalBundle>;
      try {
        bundle = buildOscalBundle(input);
      } catch (error) {
        if (error instanceof OscalBundleInputError) {
          const flag = {
            windowLength: '--window',
            'period.from': '--from',
            'period.to': '--to',
            period: '--from/--to',
          }[error.field];
          throw new Error(`${flag ?? error.field}: ${error.message}`);
        }
        throw error;
      }
      const unresolved = unresolvedReferences(bundle.documents);
      if (unresolved.length > 0)
        throw new Error(`the bundle has references that do not resolve:\n${unresolved.join('\n')}`);
      if (options.out) {
        mkdirSync(path.dirname(path.resolve(options.out)), { recursive: true });
        writeFileSync(options.out, bundleZip(bundle));
      }
      if (options.dir) {
        mkdirSync(options.dir, { recursive: true });
        for (const document of bundle.documents)
          writeFileSync(path.join(options.dir, document.file), documentText(document));
        writeFileSync(path.join(options.dir, MANIFEST_FILE), `${JSON.stringify(bundle.manifest, null, 2)}\n`);
      }
      const manifest = { ...bundle.manifest, notes: [...bundle.manifest.notes, ...notes] };
      if (options.json) {
        process.stdout.write(`${JSON.stringify(manifest, null, 2)}\n`);
        return;
      }
      const lines = [
        `OSCAL ${manifest.oscalVersion} bundle of ${manifest.toe}, scope version ${manifest.scopeVersion}, ` +
          `${manifest.period.from} – ${manifest.period.to} (windows of ${manifest.windowLength})`,
        ...manifest.documents.map(
          (entry) => `  ${entry.file.padEnd(36)} ${entry.model.padEnd(30)} ${entry.sha256.slice(0, 16)}`,
        ),
        ...manifest.notes.map((note) => `  note: ${note}`),
        ...(options.out ? [`written: ${options.out}`] : []),
        ...(options.dir ? [`written: ${options.dir}/`] : []),
      ];
      process.stdout.write(`${lines.join('\n')}\n`);
    });
}
