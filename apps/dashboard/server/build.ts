import { spawn } from 'node:child_process';
import { existsSync, promises as fs, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The dashboard app's folder (apps/dashboard). */
export const appRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const distDir = path.join(appRoot, 'dist');

const sources = ['src', 'index.html', 'vite.config.ts', 'package.json', 'public'];

async function newestSourceTime(): Promise<number> {
  let newest = 0;
  const visit = async (target: string) => {
    if (!existsSync(target)) return;
    const stat = await fs.stat(target);
    if (stat.isDirectory()) {
      for (const entry of await fs.readdir(target)) await visit(path.join(target, entry));
    } else if (stat.mtimeMs > newest) newest = stat.mtimeMs;
  };
  for (const source of sources) await visit(path.join(appRoot, source));
  return newest;
}

/** True when dist/ is missing or older than any source file of the app. */
export async function isBuildStale(): Promise<boolean> {
  const stamp = path.join(distDir, 'index.html');
  if (!existsSync(stamp)) return true;
  return (await newestSourceTime()) > statSync(stamp).mtimeMs;
}

let building: Promise<{ built: boolean; ms: number }> | undefined;

/**
 * Builds the app with Vite when dist/ is missing or stale (a few seconds); otherwise does nothing. The build goes to a
 * fresh folder that then replaces dist/, so a server reading dist/ never sees half a build.
 */
export function ensureDashboardBuilt(
  options: { force?: boolean; log?: (line: string) => void } = {},
): Promise<{ built: boolean; ms: number }> {
  building ??= (async () => {
    const started = Date.now();
    if (!options.force && !(await isBuildStale())) return { built: false, ms: 0 };
    options.log?.('building the dashboard (vite build)…');
    const out = path.join(appRoot, `.dist-${process.pid}-${Date.now()}`);
    const vite = path.join(
      path.dirname(createRequire(path.join(appRoot, 'package.json')).resolve('vite/package.json')),
      'bin',
      'vite.js',
    );
    await new Promise<void>((resolve, reject) => {
      const child = spawn(process.execPath, [vite, 'build', '--outDir', out, '--emptyOutDir', '--logLevel', 'warn'], {
        cwd: appRoot,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      child.stdout.on('data', (chunk) => (output += chunk));
      child.stderr.on('data', (chunk) => (output += chunk));
      child.on('error', reject);
      child.on('exit', (code) =>
        code === 0 ? resolve() : reject(new Error(`vite build failed (exit ${code}):\n${output}`)),
      );
    });
    const old = `${distDir}.old-${process.pid}-${Date.now()}`;
    if (existsSync(distDir)) await fs.rename(distDir, old).catch(() => undefined);
    try {
      await fs.rename(out, distDir);
    } catch (error) {
      // Another process swapped its build in first: keep that one.
      if (!existsSync(path.join(distDir, 'index.html'))) throw error;
      await fs.rm(out, { recursive: true, force: true });
    }
    await fs.rm(old, { recursive: true, force: true });
    return { built: true, ms: Date.now() - started };
  })().finally(() => {
    building = undefined;
  });
  return building;
}
