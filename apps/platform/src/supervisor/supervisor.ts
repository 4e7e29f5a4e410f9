import { fork, type ChildProcess } from 'node:child_process';
import type { Writable } from 'node:stream';
import { prefixLines } from './line-prefixer.ts';

export interface ChildSpec {
  /** Prefix of its log lines, and how the supervisor names it. */
  name: string;
  /** The Node module the child runs (a service's main.ts). */
  module: string;
  env: Record<string, string>;
  /** Node flags of the child, e.g. `--cpu-prof`; none by default (not the supervisor's own). */
  execArgv?: string[];
}

/** A child ended before it was ready; `output` is the end of what it wrote (its error, for the caller to explain). */
export class ChildStartError extends Error {
  readonly output: string;
  constructor(message: string, output: string) {
    super(message);
    this.name = 'ChildStartError';
    this.output = output;
  }
}

export interface SupervisorOptions {
  /** Where the children's prefixed output and the supervisor's own lines go. */
  output: Writable;
  /** Restart delay after a crash: doubles per crash in a row, from `baseMs` up to `maxMs`. */
  backoff?: { baseMs: number; maxMs: number };
  /** A child that ran this long before it crashed counts as healthy: its next restart waits `baseMs` again. */
  healthyAfterMs?: number;
  /** After SIGTERM, a child still running after this is killed. */
  stopGraceMs?: number;
}

export interface ChildState {
  name: string;
  pid: number | undefined;
  /** How many times it was started again after it ended on its own. */
  restarts: number;
  /** The url its last start reported ('' for a process without a port). */
  url: string | undefined;
}

interface Supervised {
  spec: ChildSpec;
  process: ChildProcess | undefined;
  restarts: number;
  crashesInRow: number;
  startedAt: number;
  url: string | undefined;
  /** Whether it ever reported ready: a child that ends before its first ready is not restarted (its start fails). */
  everReady: boolean;
  timer: NodeJS.Timeout | undefined;
  /** The last lines it wrote, for the error of a failed start. */
  tail: string[];
  /** Waiters for the next 'ready' message of this child. */
  waiters: Array<{ resolve: () => void; reject: (error: Error) => void }>;
}

/**
 * A small process supervisor: forks each child with an IPC channel, prefixes its output, waits for its 'ready'
 * message, restarts it with backoff when it ends on its own, and on stop sends SIGTERM to all and waits for them.
 */
export class Supervisor {
  readonly #options: Required<SupervisorOptions>;
  readonly #children = new Map<string, Supervised>();
  #stopping = false;

  constructor(options: SupervisorOptions) {
    this.#options = {
      backoff: { baseMs: 250, maxMs: 10_000 },
      healthyAfterMs: 30_000,
      stopGraceMs: 20_000,
      ...options,
    };
  }

  /**
   * Starts a child; resolves when it reports ready. One that ends before its first ready (a configuration error, a
   * port in use) is not restarted: the returned promise rejects.
   */
  start(spec: ChildSpec): Promise<void> {
    if (this.#children.has(spec.name)) throw new Error(`${spec.name} is supervised already`);
    const child: Supervised = {
      spec,
      process: undefined,
      restarts: 0,
      crashesInRow: 0,
      startedAt: 0,
      url: undefined,
      everReady: false,
      timer: undefined,
      tail: [],
      waiters: [],
    };
    this.#children.set(spec.name, child);
    const ready = this.#nextReady(child);
    this.#spawn(child);
    return ready;
  }

  /** Resolves at the next 'ready' of the named child (e.g. after a restart). */
  nextReady(name: string): Promise<void> {
    return this.#nextReady(this.#child(name));
  }

  state(name: string): ChildState {
    const child = this.#child(name);
    return { name, pid: child.process?.pid, restarts: child.restarts, url: child.url };
  }

  names(): string[] {
    return [...this.#children.keys()];
  }

  /** Sends `signal` to every child (restarts off), waits until all ended; kills those still running after the grace. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    this.#stopping = true;
    const ending = [...this.#children.values()].map((child) => {
      clearTimeout(child.timer);
      const running = child.process;
      if (!running || running.exitCode !== null || running.signalCode !== null) return Promise.resolve();
      return new Promise<void>((resolve) => {
        const kill = setTimeout(() => {
          this.#line(`${child.spec.name} did not stop within ${this.#options.stopGraceMs} ms: killing it`);
          running.kill('SIGKILL');
        }, this.#options.stopGraceMs);
        running.once('close', () => {
          clearTimeout(kill);
          resolve();
        });
        running.kill(signal);
      });
    });
    await Promise.all(ending);
  }

  #child(name: string): Supervised {
    const child = this.#children.get(name);
    if (!child) throw new Error(`no supervised process ${name}`);
    return child;
  }

  #nextReady(child: Supervised): Promise<void> {
    return new Promise((resolve, reject) => child.waiters.push({ resolve, reject }));
  }

  #spawn(child: Supervised): void {
    const { spec } = child;
    const running = fork(spec.module, [], {
      env: spec.env,
      execArgv: spec.execArgv ?? [],
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      // Its own process group: a Ctrl-C in the terminal reaches the supervisor only, which then stops the children
      // once each (a second signal would make a child skip its graceful shutdown).
      detached: true,
    });
    child.process = running;
    child.startedAt = Date.now();
    child.url = undefined;
    const remember = (line: string) => child.tail.splice(0, child.tail.push(line) - 40);
    prefixLines(running.stdout!, this.#options.output, spec.name, remember);
    prefixLines(running.stderr!, this.#options.output, spec.name, remember);
    running.on('message', (message: unknown) => {
      if (typeof message !== 'object' || message === null || (message as { type?: unknown }).type !== 'ready') return;
      const url = (message as { url?: unknown }).url;
      child.url = typeof url === 'string' ? url : '';
      child.everReady = true;
      for (const waiter of child.waiters.splice(0)) waiter.resolve();
    });
    // 'close', not 'exit': its output has been read to the end by then.
    running.once('close', (code, signal) => this.#ended(child, running, code, signal));
  }

  #ended(child: Supervised, ended: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (child.process !== ended) return;
    const how = signal ? `signal ${signal}` : `code ${code}`;
    if (this.#stopping) {
      this.#line(`${child.spec.name} stopped (${how})`);
      for (const waiter of child.waiters.splice(0)) waiter.reject(new Error(`${child.spec.name} stopped`));
      return;
    }
    if (!child.everReady) {
      this.#line(`${child.spec.name} ended with ${how} before it was ready: not restarting it`);
      const error = new ChildStartError(`${child.spec.name} ended with ${how} on start`, child.tail.join('\n'));
      for (const waiter of child.waiters.splice(0)) waiter.reject(error);
      return;
    }
    const ranMs = Date.now() - child.startedAt;
    child.crashesInRow = ranMs >= this.#options.healthyAfterMs ? 1 : child.crashesInRow + 1;
    const { baseMs, maxMs } = this.#options.backoff;
    const delay = Math.min(maxMs, baseMs * 2 ** (child.crashesInRow - 1));
    this.#line(`${child.spec.name} (pid ${ended.pid}) ended with ${how} after ${ranMs} ms: restarting in ${delay} ms`);
    child.timer = setTimeout(() => {
      if (this.#stopping) return;
      child.restarts += 1;
      this.#spawn(child);
    }, delay);
  }

  #line(text: string): void {
    this.#options.output.write(`supervisor | ${text}\n`);
  }
}
