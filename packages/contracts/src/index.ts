export * from './evidence-predicate.ts';
export * from './in-toto-statement.ts';
export * from './dsse-envelope.ts';
export * from './posture-callback.ts';
export * from './statuses.ts';
export * from './scope-decision-callback.ts';
export * from './evidence-json-schema.ts';
