import { fileURLToPath } from 'node:url';
import type { Writable } from 'node:stream';
import { layoutToken, platformLayout, serviceEnvironment } from './service-environment.ts';
import type { Platform, PlatformOptions, ServiceKey } from './start-platform.ts';
import { Supervisor } from './supervisor/supervisor.ts';

export interface PlatformProcessesOptions extends PlatformOptions {
  /** Where the processes' prefixed log lines go (the run command: its stdout). */
  output: Writable;
  /** Node flags for every child, e.g. ['--cpu-prof', '--cpu-prof-dir=…'] (benchmarks). */
  execArgv?: string[];
  /** Environment every child inherits besides its service's (e.g. PATH, NODE_OPTIONS); none by default. */
  baseEnv?: Record<string, string>;
}

export interface PlatformProcesses {
  urls: Record<ServiceKey, string>;
  databaseUrls: Record<ServiceKey, string>;
  token: Platform['token'];
  supervisor: Supervisor;
  /** SIGTERM to every process, resolved when all have ended. */
  close: () => Promise<void>;
}

const processName: Record<ServiceKey, string> = {
  certificationBody: 'certification-body',
  assessment: 'assessment',
  collector: 'collector',
};
const entry: Record<ServiceKey, string> = {
  certificationBody: fileURLToPath(import.meta.resolve('@cabc/certification-body/main')),
  assessment: fileURLToPath(import.meta.resolve('@cabc/assessment/main')),
  collector: fileURLToPath(import.meta.resolve('@cabc/evidence-collector/main')),
};
const order: ServiceKey[] = ['certificationBody', 'assessment', 'collector'];

/**
 * The platform as processes, so its JavaScript can use every core: per service one process for the HTTP API
 * (PROCESS_ROLE=http) and one for its workers (PROCESS_ROLE=workers), each its service's own main.ts, under a
 * supervisor. Same environment as startPlatform's (serviceEnvironment); in-process hooks (`now`, a certification
 * policy object) do not cross a process boundary and are refused.
 */
export async function startPlatformProcesses(options: PlatformProcessesOptions): Promise<PlatformProcesses> {
  if (options.now || options.certificationPolicy) throw new Error('now and certificationPolicy need startPlatform');
  const layout = await platformLayout(options);
  const supervisor = new Supervisor({ output: options.output });
  const spec = (key: ServiceKey, role: 'http' | 'workers', extra: Record<string, string>) => ({
    name: `${processName[key]}-${role}`,
    module: entry[key],
    execArgv: options.execArgv ?? [],
    env: {
      ...options.baseEnv,
      ...serviceEnvironment(layout, options, key, { port: layout.ports[key], targets: layout.urls }),
      PROCESS_ROLE: role,
      ...extra,
    },
  });
  try {
    // The HTTP processes first, one after the other as in one process (each migrates its database and makes its
    // first signing key); then the worker processes, which find both done.
    for (const key of order) await supervisor.start(spec(key, 'http', {}));
    await Promise.all(order.map((key) => supervisor.start(spec(key, 'workers', { MIGRATE_ON_START: 'false' }))));
  } catch (error) {
    await supervisor.stop();
    throw error;
  }
  return {
    urls: layout.urls,
    databaseUrls: layout.databaseUrls,
    token: layoutToken(layout),
    supervisor,
    close: () => supervisor.stop('SIGTERM'),
  };
}
