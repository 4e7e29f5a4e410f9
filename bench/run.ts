// `pnpm bench [name...] [--option value...]`: runs the named benchmarks (all by default) and rewrites their sections of docs/benchmarks.md.
const benchmarks: Record<string, () => Promise<{ run: () => Promise<void> }>> = {
  'evidence-to-certificate': () => import('./evidence-to-certificate.bench.ts'),
  rules: () => import('./rules.bench.ts'),
  ingest: () => import('./ingest.bench.ts'),
  ledger: () => import('./ledger.bench.ts'),
  anomalies: () => import('./anomalies.bench.ts'),
  scale: () => import('./scale.bench.ts'),
  soak: () => import('./soak.bench.ts'),
};

// Names first; options after them (`pnpm bench scale --rows 1000000`) are read by the benchmarks themselves.
const firstOption = process.argv.findIndex((arg, index) => index >= 2 && arg.startsWith('--'));
const requested = process.argv.slice(2, firstOption < 0 ? undefined : firstOption);
const unknown = requested.filter((name) => !(name in benchmarks));
if (unknown.length > 0) {
  process.stderr.write(`unknown benchmark(s): ${unknown.join(', ')}; known: ${Object.keys(benchmarks).join(', ')}\n`);
  process.exit(2);
}
for (const name of requested.length > 0 ? requested : Object.keys(benchmarks)) {
  process.stderr.write(`bench: ${name}\n`);
  const module = await benchmarks[name]!();
  await module.run();
}
process.exit(0);
