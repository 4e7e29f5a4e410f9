// Python virtualenvs under .tools/ for the tests that run Python tools: made once, then reused while what they were
// made from is unchanged (a second call reads two small files). One function: name + requirements → interpreter.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const repositoryRoot = path.resolve(import.meta.dirname, '../..');
/** The oldest interpreter a venv may be made with unless the caller asks for more (mlflow 3 needs 3.10). */
const DEFAULT_MINIMUM_PYTHON: readonly [number, number] = [3, 9];
/** Longer than the slowest install seen (the ML tools, cold pip cache, 2 shared cores). */
const LOCK_STALE_MS = 20 * 60_000;

export interface PythonVenvOptions {
  /** The venv is `.tools/venv-<name>`. */
  name: string;
  /** pip requirement specifiers (`mlflow==3.17.2`). */
  requirements: string[];
  /** A pip constraints file (relative to the root): pins of every transitive package, so installs repeat. */
  constraints?: string;
  /** The interpreter that creates the venv: CABC_PYTHON, else python3 on PATH. */
  python?: string;
  minimumPython?: readonly [number, number];
  /** Where `.tools/` is (the repository root). */
  root?: string;
  log?: (line: string) => void;
}

export interface PythonVenv {
  directory: string;
  /** The venv's interpreter. */
  python: string;
  /** Its scripts folder (mlflow, pytest, ...). */
  bin: string;
  /** Whether this call installed anything (false: the stamp matched). */
  installed: boolean;
}

/** What the venv is made from: the requirements and the constraints file's bytes. */
function stampOf(options: PythonVenvOptions, root: string): string {
  const hash = createHash('sha256').update(JSON.stringify({ requirements: options.requirements }));
  if (options.constraints) hash.update(readFileSync(path.resolve(root, options.constraints)));
  return hash.digest('hex');
}

async function interpreterVersion(python: string): Promise<[number, number]> {
  const { stdout } = await run(python, ['-c', 'import sys; print(sys.version_info[0], sys.version_info[1])']);
  const [major = 0, minor = 0] = stdout.trim().split(' ').map(Number);
  return [major, minor];
}

/** A directory made atomically is the lock: two test files needing the same venv do not install it at once. */
async function withLock<T>(lockDirectory: string, work: () => Promise<T>): Promise<T> {
  for (;;) {
    try {
      mkdirSync(lockDirectory);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      // Left over from a run that was killed while installing.
      if (Date.now() - statSync(lockDirectory).mtimeMs > LOCK_STALE_MS) rmSync(lockDirectory, { recursive: true });
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
 * `.tools/venv-<name>` with `requirements` installed. Idempotent: `.cabc-stamp` in the venv holds the hash of what it
 * was made from; when it matches, nothing runs. When it does not, pip installs into the same venv (pip's cache makes
 * that quick), and the stamp is written only after pip succeeded, so an interrupted install is redone.
 */
export async function ensurePythonVenv(options: PythonVenvOptions): Promise<PythonVenv> {
  if (!/^[a-z0-9-]+$/.test(options.name)) throw new Error(`venv name ${options.name}: lowercase letters, digits, -`);
  const root = options.root ?? repositoryRoot;
  const directory = path.join(root, '.tools', `venv-${options.name}`);
  const bin = path.join(directory, process.platform === 'win32' ? 'Scripts' : 'bin');
  const python = path.join(bin, process.platform === 'win32' ? 'python.exe' : 'python');
  const stampFile = path.join(directory, '.cabc-stamp');
  const stamp = stampOf(options, root);
  const current = () => existsSync(python) && existsSync(stampFile) && readFileSync(stampFile, 'utf8') === stamp;
  if (current()) return { directory, python, bin, installed: false };

  const log = options.log ?? (() => undefined);
  mkdirSync(path.dirname(directory), { recursive: true });
  return withLock(`${directory}.lock`, async () => {
    if (current()) return { directory, python, bin, installed: false };
    const creator = options.python ?? process.env.CABC_PYTHON ?? 'python3';
    const minimum = options.minimumPython ?? DEFAULT_MINIMUM_PYTHON;
    const version = await interpreterVersion(creator).catch(() => {
      throw new Error(`${creator} not found: install Python ${minimum.join('.')} or newer (or set CABC_PYTHON)`);
    });
    if (version[0] < minimum[0] || (version[0] === minimum[0] && version[1] < minimum[1]))
      throw new Error(`${creator} is Python ${version.join('.')}; ${minimum.join('.')} or newer is needed`);
    if (!existsSync(python)) {
      log(`creating ${path.relative(root, directory)} with ${creator} ${version.join('.')}`);
      try {
        await run(creator, ['-m', 'venv', directory]);
      } catch (error) {
        rmSync(directory, { recursive: true, force: true });
        const detail = error instanceof Error ? error.message : String(error);
        throw new Error(`${creator} -m venv failed (Debian: apt-get install python3-venv): ${detail}`);
      }
    }
    log(`installing into ${path.relative(root, directory)}: ${options.requirements.join(' ')}`);
    const constraints = options.constraints ? ['--constraint', path.resolve(root, options.constraints)] : [];
    await run(
      python,
      ['-m', 'pip', 'install', '--disable-pip-version-check', '--no-input', '--quiet', ...constraints].concat(
        options.requirements,
      ),
      { cwd: root, maxBuffer: 64 * 1024 * 1024 },
    );
    writeFileSync(stampFile, stamp);
    return { directory, python, bin, installed: true };
  });
}
