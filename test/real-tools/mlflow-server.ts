import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { freePort } from '@cabc/local-servers';

export interface MlflowServer {
  url: string;
  /** What the server wrote, for the failure message of a test. */
  output: () => string;
  stop: () => Promise<void>;
}

/** Telemetry of the tools off: a test must not phone home, and must not wait for it. */
export const quietToolsEnv = {
  MLFLOW_DISABLE_TELEMETRY: 'true',
  DO_NOT_TRACK: '1',
  GX_ANALYTICS_ENABLED: 'false',
  GIT_PYTHON_REFRESH: 'quiet',
};

/**
 * A real MLflow tracking server from the venv: SQLite backend store and a local artifact folder under `folder`, on a
 * free loopback port, one worker. Resolves once `/health` answers; stops with SIGTERM (SIGKILL after 5 s) to its
 * whole process group, so that uvicorn's workers go with it.
 */
export async function startMlflowServer(options: { bin: string; folder: string }): Promise<MlflowServer> {
  mkdirSync(options.folder, { recursive: true });
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(
    path.join(options.bin, 'mlflow'),
    [
      'server',
      ...['--backend-store-uri', `sqlite:///${path.join(options.folder, 'mlflow.db')}`],
      ...['--artifacts-destination', path.join(options.folder, 'artifacts')],
      ...['--host', '127.0.0.1', '--port', String(port), '--workers', '1'],
    ],
    {
      cwd: options.folder,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      // Without the job runner (huey consumers for GenAI evaluation jobs, a store in /dev/shm): tracking needs
      // neither, and on two shared cores the consumers cost seconds.
      env: { ...process.env, ...quietToolsEnv, MLFLOW_SERVER_ENABLE_JOB_EXECUTION: 'false' },
    },
  );
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-20_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const signal = (name: NodeJS.Signals) => {
    if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
      try {
        process.kill(-child.pid, name);
      } catch {
        // Already gone.
      }
    }
  };
  const stop = async () => {
    signal('SIGTERM');
    const timer = setTimeout(() => signal('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  };
  // Creating the SQLite schema takes a few seconds; on two busy cores, up to a minute or two.
  const deadline = Date.now() + 180_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(`mlflow server exited (${child.exitCode ?? child.signalCode}) before answering:\n${output}`);
    const response = await fetch(`${url}/health`).catch(() => undefined);
    if (response?.ok) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`mlflow server at ${url} did not answer /health within 180 s:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return { url, output: () => output, stop };
}
