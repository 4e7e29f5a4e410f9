// Makes a local CA and a certificate per service under .data/tls (or the directory given), for `run-platform.sh --tls`.
import path from 'node:path';
import { makeLocalCertificates } from '@cabc/local-servers';
import { defaultDataDir } from './lib/infrastructure.ts';

const dir = path.resolve(process.argv[2] ?? path.join(defaultDataDir, 'tls'));
const made = await makeLocalCertificates(dir);
process.stdout.write(`CA: ${made.caFile}\n`);
for (const [name, files] of Object.entries(made.files))
  process.stdout.write(`${name}: ${files.certFile} ${files.keyFile}\n`);
