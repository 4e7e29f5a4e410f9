import { celEnvironment } from './environment.ts';
import { fromCelType, type StaticType } from './static-types.ts';

export interface Overload {
  /** The receiver type of a method (`x.f()`); undefined for a global function. */
  target: StaticType | undefined;
  args: readonly StaticType[];
  result: StaticType;
}

function indexOverloads(): ReadonlyMap<string, readonly Overload[]> {
  const byName = new Map<string, Overload[]>();
  for (const func of celEnvironment.funcs) {
    const overload: Overload = {
      target: func.target === undefined ? undefined : fromCelType(func.target),
      args: func.arguments.map(fromCelType),
      result: fromCelType(func.result),
    };
    const list = byName.get(func.name);
    if (list) list.push(overload);
    else byName.set(func.name, [overload]);
  }
  return byName;
}

/** The declared signatures of every function in the environment, by name. */
export const overloadsByName = indexOverloads();
