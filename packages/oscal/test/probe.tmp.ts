import { writeFileSync, mkdirSync } from 'node:fs';
import { buildOscalBundle, bundleZip, unresolvedReferences } from '../src/index.ts';
import { nistSchemaErrors } from '../src/validation/index.ts';
import { realisticBundleInput } from '../test/fixtures/bundle-input.ts';
const bundle = buildOscalBundle(realisticBundleInput());
for (const d of bundle.documents) { const e = nistSchemaErrors(d.model, d.json); console.log(d.file, e.length, e.slice(0, 8)); }
console.log('refs', unresolvedReferences(bundle.documents).slice(0, 30));
mkdirSync('/tmp/bundle-probe', { recursive: true });
writeFileSync('/tmp/bundle-probe/bundle.zip', bundleZip(bundle));
console.log(JSON.stringify(bundle.manifest, null, 1).slice(0, 1500));
