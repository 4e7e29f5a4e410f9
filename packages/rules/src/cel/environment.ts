import { celEnv } from '@bufbuild/cel';
import { strings } from '@bufbuild/cel/ext';

/** The one CEL environment rules run in: the standard library plus the strings extension. */
export const celEnvironment = celEnv({ funcs: strings });
