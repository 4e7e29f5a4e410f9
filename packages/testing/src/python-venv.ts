// Python virtualenvs under .tools/ for the tests that run Python tools (see python-tools.ts for which): made once,
// reused while their requirements and local sources are unchanged (then a call costs a few file reads).
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const repositoryRoot = path.resolve(import.meta.dirname, '../../..');
/** The oldest interpreter a venv may be made with unless the caller asks for more (mlflow 3 needs 3.10). */
const DEFAULT_MINIMUM_PYTHON: readonly [number, number] = [3, 9];
/** Longer than the slowest install seen (the ML tools from an empty pip cache on 2 busy cores). */
const LOCK_STALE_MS = 20 * 60_000;

export interface PythonVenvOptions {
  /** The venv is `.tools/venv-<name>`. */
  name: string;
  /** pip requirement specifiers; a path to a local project (e.g. `clients/python`) is installed from that folder. */
  requirements: string[];
  /** A pip constraints file (relative to the root) pinning every transitive package; its bytes are in the stamp. */
  constraints?: string;
  /** The interpreter that creates the venv: CABC_PYTHON, else python3 on PATH. */
  python?: string;
  minimumPython?: readonly [number, number];
  /** Where `.tools/` is (the repository root). */
  root?: string;
  /** Extra pip arguments, e.g. `--extra-index-url`. */
  pipArguments?: string[];
  log?: (line: string) => void;
}

export interface PythonVenv {
  directory: string;
  /** The venv's interpreter: run `python -m pytest ...` with it. */
  python: string;
  /** Its scripts folder (pytest, mypy, ...), to put first on PATH. */
  bin: string;
}

/** Local project requirements: a path that exists, relative to the root. */
function localProject(requirement: string, root: string): string | undefined {
  const candidate = path.resolve(root, requirement);
  return /^[./]/.test(requirement) || existsSync(path.join(candidate, 'pyproject.toml')) ? candidate : undefined;
}

/** Every file of a local project that pip would install from, so that an edit there reinstalls it. */
function hashTree(hash: ReturnType<typeof createHash>, directory: string): void {
  for (const entry of readdirSync(directory, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    if (entry.name.startsWith('.') || ['__pycache__', 'build', 'dist', 'node_modules'].includes(entry.name)) continue;
    if (entry.name.endsWith('.egg-info')) continue;
    const full = path.join(directory, entry.name);
    if (entry.isDirectory()) hashTree(hash, full);
    else if (entry.isFile()) hash.update(`${path.relative(directory, full)}\n`).update(readFileSync(full));
  }
}

function stampOf(
  options: Pick<PythonVenvOptions, 'requirements' | 'constraints'> & { pipArguments: string[] },
  root: string,
): string {
  const hash = createHash('sha256').update(JSON.stringify([options.requirements, options.pipArguments]));
  if (options.constraints) hash.update(readFileSync(path.resolve(root, options.constraints)));
  for (const requirement of options.requirements) {
    const local = localProject(requirement, root);
    if (!local) continue;
    // What pip builds the package from: its sources and metadata (not its tests).
    const sources = path.join(local, 'src');
    hashTree(hash, existsSync(sources) ? sources : local);
    for (const file of ['pyproject.toml', 'README.md'])
      if (existsSync(path.join(local, file))) hash.update(readFileSync(path.join(local, file)));
  }
  return hash.digest('hex');
}

async function interpreterVersion(python: string): Promise<[number, number]> {
  const { stdout } = await run(python, ['-c', 'import sys; print(sys.version_info[0], sys.version_info[1])']);
  const [major, minor] = stdout.trim().split(' ').map(Number) as [number, number];
  return [major, minor];
}

/** Held while a venv is being made, so that two test files needing the same venv do not build it at once. */
async function withLock<T>(lockDirectory: string, work: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + LOCK_STALE_MS;
  for (;;) {
    try {
      mkdirSync(lockDirectory);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      // A lock older than the longest install is left over from a killed run.
      if (Date.now() - statSync(lockDirectory).mtimeMs > LOCK_STALE_MS) rmSync(lockDirectory, { recursive: true });
      if (Date.now() > deadline)
        throw new Error(`${lockDirectory}: still locked after ${LOCK_STALE_MS / 60_000} minutes`);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
  try {
    return await work();
  } finally {
    rmSync(lockDirectory, { recursive: true, force: true });
  }
}

/**
 * `.tools/venv-<name>` with `requirements` installed. Idempotent: a stamp holds the hash of the requirements, the
 * constraints file and the local projects' sources; when it matches, nothing runs. pip's own cache makes a rebuild
 * cheap. The stamp is written only after pip succeeded, so an interrupted install is redone.
 */
export async function ensurePythonVenv(options: PythonVenvOptions): Promise<PythonVenv> {
  if (!/^[a-z0-9-]+$/.test(options.name)) throw new Error(`venv name ${options.name}: lowercase letters, digits, -`);
  const root = options.root ?? repositoryRoot;
  const tools = path.join(root, '.tools');
  const directory = path.join(tools, `venv-${options.name}`);
  const bin = path.join(directory, process.platform === 'win32' ? 'Scripts' : 'bin');
  const venv = { directory, bin, python: path.join(bin, process.platform === 'win32' ? 'python.exe' : 'python') };
  const log = options.log ?? (() => undefined);
  const constraints = options.constraints ? ['--constraint', path.resolve(root, options.constraints)] : [];
  const pipArguments = [...constraints, ...(options.pipArguments ?? [])];
  const stampFile = path.join(directory, '.cabc-stamp');
  const stamp = stampOf(
    { requirements: options.requirements, constraints: options.constraints, pipArguments: options.pipArguments ?? [] },
    root,
  );
  if (existsSync(venv.python) && existsSync(stampFile) && readFileSync(stampFile, 'utf8') === stamp) return venv;

  mkdirSync(tools, { recursive: true });
  return withLock(`${directory}.lock`, async () => {
    if (existsSync(venv.python) && existsSync(stampFile) && readFileSync(stampFile, 'utf8') === stamp) return venv;
    const python = options.python ?? process.env.CABC_PYTHON ?? 'python3';
    const minimum = options.minimumPython ?? DEFAULT_MINIMUM_PYTHON;
    let version: [number, number];
    try {
      version = await interpreterVersion(python);
    } catch {
      throw new Error(`${python} not found: install Python ${minimum.join('.')} or newer (or set CABC_PYTHON)`);
    }
    if (version[0] < minimum[0] || (version[0] === minimum[0] && version[1] < minimum[1]))
      throw new Error(`${python} is Python ${version.join('.')}; ${minimum.join('.')} or newer is needed`);
    if (!existsSync(venv.python)) {
      log(`creating ${path.relative(root, directory)} with ${python} ${version.join('.')}`);
      try {
        await run(python, ['-m', 'venv', directory]);
      } catch (error) {
        rmSync(directory, { recursive: true, force: true });
        const detail = error instanceof Error ? error.message : String(error);
        throw new Error(`${python} -m venv failed (Debian: apt-get install python3-venv): ${detail}`);
      }
    }
    const local = options.requirements.flatMap((requirement) => localProject(requirement, root) ?? []);
    const published = options.requirements.filter((requirement) => !localProject(requirement, root));
    const pip = (args: string[]) =>
      run(venv.python, ['-m', 'pip', 'install', '--disable-pip-version-check', '--no-input', '--quiet', ...args], {
        cwd: root,
        maxBuffer: 64 * 1024 * 1024,
      });
    log(`installing into ${path.relative(root, directory)}: ${options.requirements.join(' ')}`);
    if (published.length > 0) await pip([...pipArguments, ...published]);
    // A local project is rebuilt whenever its sources changed, even at the same version number.
    if (local.length > 0) await pip([...pipArguments, '--force-reinstall', '--no-deps', ...local]);
    writeFileSync(stampFile, stamp);
    return venv;
  });
}
