// Builds the CLI as a standalone npm package: one bundled file holding the CLI, its workspace packages and its npm
// dependencies, a package.json without dependencies, and the licences of what was bundled. `npm pack` of the result
// (`--pack <dir>`) is the tarball a pipeline installs without this repository (docs/pipelines.md).
//   node packages/cli/scripts/build-package.ts [--out <dir>] [--pack <dir>]
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { build } from 'rolldown';

const cliRoot = path.resolve(import.meta.dirname, '..');
export const defaultPackageDir = path.join(cliRoot, 'dist', 'package');
const BIN_FILE = 'cabc.mjs';

interface BundledPackage {
  name: string;
  version: string;
  license: string;
  licenseText: string | undefined;
}

/** Our own source (workspace packages) has no import-time side effects: whatever the CLI does not use is dropped. */
const workspaceSource = /\/(packages|services)\/[^/]+\/src\//;

/** The npm package a bundled module came from: the folder after the last node_modules segment. */
function packageDirOf(moduleId: string): string | undefined {
  const marker = '/node_modules/';
  const at = moduleId.lastIndexOf(marker);
  if (at < 0) return undefined;
  const rest = moduleId.slice(at + marker.length).split('/');
  const depth = rest[0]?.startsWith('@') ? 2 : 1;
  return moduleId.slice(0, at + marker.length) + rest.slice(0, depth).join('/');
}

function bundledPackage(directory: string): BundledPackage {
  const manifest = JSON.parse(readFileSync(path.join(directory, 'package.json'), 'utf8')) as {
    name: string;
    version: string;
    license?: string;
  };
  const licenseFile = readdirSync(directory).find((name) => /^(licen[cs]e|copying)(\.|$)/i.test(name));
  return {
    name: manifest.name,
    version: manifest.version,
    license: manifest.license ?? 'see the package',
    licenseText: licenseFile ? readFileSync(path.join(directory, licenseFile), 'utf8').trim() : undefined,
  };
}

function thirdPartyNotice(packages: BundledPackage[]): string {
  const sections = packages.map((item) =>
    [
      `## ${item.name} ${item.version} (${item.license})`,
      '',
      item.licenseText ?? '(no licence file in the package)',
    ].join('\n'),
  );
  const intro = '# Third-party software bundled in cabc.mjs\n\nThese npm packages, tree-shaken; their licences follow.';
  return `${[intro, ...sections].join('\n\n')}\n`;
}

function readme(version: string): string {
  return `# @cabc/cli ${version}

The CABC command line, standalone: push ML tool outputs to an evidence collector from a CI job, verify certificates
and the evidence ledger, mint local tokens. Node 22 or newer; no other dependency.

\`\`\`sh
npm install --global ./cabc-cli-${version}.tgz
cabc evidence push reports/ --toe "$CABC_TOE" --model "model.onnx@sha256:$MODEL_SHA256" --json
cabc --help
\`\`\`

\`CABC_COLLECTOR_URL\` and \`CABC_TOKEN\` (a bearer token with role \`pipeline\`) configure the push; the CI's run id
(\`CABC_RUN_ID\`, \`GITHUB_RUN_ID\`, \`CI_PIPELINE_ID\`, …) makes a re-run push nothing twice. Exit status 0 when every
file was pushed or skipped, 1 otherwise. \`cabc token\` (local development) signs with \`CABC_ISSUER_KEY_FILE\`, else
\`./.data/local-issuer.json\`. See docs/pipelines.md in the CABC repository.
`;
}

/** Bundles the CLI into `outDir` (emptied first) as an npm package; returns what it wrote. */
export async function buildCliPackage(outDir = defaultPackageDir): Promise<{ directory: string; packages: string[] }> {
  const manifest = JSON.parse(readFileSync(path.join(cliRoot, 'package.json'), 'utf8')) as {
    version: string;
    description: string;
  };
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const result = await build({
    input: path.join(cliRoot, 'src', 'main.ts'),
    platform: 'node',
    write: true,
    logLevel: 'warn',
    treeshake: { moduleSideEffects: (id) => !workspaceSource.test(id) },
    output: { file: path.join(outDir, BIN_FILE), format: 'esm', banner: '#!/usr/bin/env node' },
  });
  const moduleIds = result.output.flatMap((chunk) => (chunk.type === 'chunk' ? chunk.moduleIds : []));
  const packageDirs = [...new Set(moduleIds.map(packageDirOf).filter((dir) => dir !== undefined))];
  const packages = packageDirs.map(bundledPackage).sort((a, b) => a.name.localeCompare(b.name));

  writeFileSync(path.join(outDir, 'THIRD-PARTY-LICENSES.md'), thirdPartyNotice(packages));
  writeFileSync(path.join(outDir, 'README.md'), readme(manifest.version));
  const packageJson = {
    name: '@cabc/cli',
    version: manifest.version,
    description: manifest.description,
    type: 'module',
    bin: { cabc: BIN_FILE },
    files: [BIN_FILE, 'README.md', 'THIRD-PARTY-LICENSES.md'],
    engines: { node: '>=22' },
    keywords: ['cabc', 'certification', 'mlops', 'evidence', 'in-toto'],
  };
  writeFileSync(path.join(outDir, 'package.json'), `${JSON.stringify(packageJson, null, 2)}\n`);
  return { directory: outDir, packages: packages.map((item) => `${item.name}@${item.version}`) };
}

/** `npm pack` of a built package directory into `destination`; returns the tarball's path. */
export async function packCliPackage(directory: string, destination: string): Promise<string> {
  mkdirSync(destination, { recursive: true });
  const { stdout } = await promisify(execFile)(
    'npm',
    ['pack', '--json', '--pack-destination', path.resolve(destination)],
    { cwd: directory, env: { ...process.env, npm_config_update_notifier: 'false' } },
  );
  const [packed] = JSON.parse(stdout) as { filename: string }[];
  if (!packed) throw new Error(`npm pack in ${directory} reported no tarball`);
  const tarball = path.join(path.resolve(destination), packed.filename);
  if (!existsSync(tarball)) throw new Error(`npm pack reported ${packed.filename}, which is not in ${destination}`);
  return tarball;
}

function argument(name: string): string | undefined {
  const at = process.argv.indexOf(name);
  return at >= 0 ? process.argv[at + 1] : undefined;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const built = await buildCliPackage(path.resolve(argument('--out') ?? defaultPackageDir));
  process.stdout.write(`built ${built.directory} (bundles ${built.packages.length} npm packages)\n`);
  const destination = argument('--pack');
  if (destination) process.stdout.write(`${await packCliPackage(built.directory, destination)}\n`);
}
