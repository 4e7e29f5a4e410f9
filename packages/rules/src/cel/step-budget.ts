/**
 * The runtime budget of one expression evaluation. The CEL library exposes no hook into its interpreter, so the
 * budget is charged where the work is: every element an expression iterates out of evidence (history, measurements,
 * checks, subjects, metrics) costs one step, and every 256 steps the clock is read. Lists an expression writes
 * itself are bounded by the static estimate (cost-estimate.ts) instead.
 */
export interface CelBudget {
  steps: number;
  timeMs: number;
}

// One step is about 10 µs in the CEL library (measured: 20 000 steps in 170 ms), so the step cap binds first; the
// clock is the backstop for work that is not iteration.
export const DEFAULT_CEL_BUDGET: CelBudget = Object.freeze({ steps: 200_000, timeMs: 2000 });

export class CelBudgetExceeded extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CelBudgetExceeded';
  }
}

interface Meter {
  remaining: number;
  deadline: number;
  budget: CelBudget;
  exceeded: string | undefined;
}

// Evaluation is synchronous, so one meter at a time is all there is.
let active: Meter | undefined;

function tick(): void {
  if (active === undefined) return;
  active.remaining -= 1;
  if (active.remaining < 0) exceed(`more than ${active.budget.steps} steps`);
  else if ((active.remaining & 255) === 0 && performance.now() > active.deadline)
    exceed(`more than ${active.budget.timeMs} ms`);
}

function exceed(what: string): never {
  const message = `the expression exceeded its runtime budget (${what})`;
  if (active) active.exceeded = message;
  throw new CelBudgetExceeded(message);
}

/** Runs `evaluate` under `budget`; `exceeded` says why it was stopped, if it was. */
export function withinBudget<T>(budget: CelBudget, evaluate: () => T): { value: T; exceeded: string | undefined } {
  const meter: Meter = {
    remaining: budget.steps,
    deadline: performance.now() + budget.timeMs,
    budget,
    exceeded: undefined,
  };
  const outer = active;
  active = meter;
  try {
    return { value: evaluate(), exceeded: meter.exceeded };
  } finally {
    active = outer;
  }
}

/** The array itself, whose iteration (what the CEL library's lists use) charges the running budget. */
export function metered<T>(items: T[]): T[] {
  Object.defineProperty(items, 'values', {
    value: function* meteredValues(): Generator<T> {
      for (const item of Array.prototype.values.call(items)) {
        tick();
        yield item;
      }
    },
  });
  return items;
}

/** The map itself, whose key iteration (what comprehensions over a map use) charges the running budget. */
export function meteredMap<K, V>(map: Map<K, V>): Map<K, V> {
  const keys = map.keys.bind(map);
  Object.defineProperty(map, 'keys', {
    value: function* meteredKeys(): Generator<K> {
      for (const key of keys()) {
        tick();
        yield key;
      }
    },
  });
  return map;
}
