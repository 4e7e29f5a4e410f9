import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { machineDescription } from './machine.ts';

const documentPath = path.resolve(import.meta.dirname, '../../docs/benchmarks.md');
const header = `# Benchmarks

Produced by \`pnpm bench\` (all) or \`pnpm bench <name>\` (one); each section is rewritten by its benchmark's latest run.
Numbers depend on the machine: each section names the one it ran on.
`;

/** Replaces (or appends) the benchmark's section in docs/benchmarks.md and prints it. */
export function publish(name: string, title: string, body: string): void {
  const section = `<!-- bench:${name} -->\n## ${title}\n\nRun ${new Date().toISOString()} on ${machineDescription()}.\n\n${body.trim()}\n<!-- /bench:${name} -->`;
  process.stdout.write(`\n${section}\n`);
  const current = existsSync(documentPath) ? readFileSync(documentPath, 'utf8') : header;
  const pattern = new RegExp(`<!-- bench:${name} -->[\\s\\S]*?<!-- /bench:${name} -->`);
  const next = pattern.test(current) ? current.replace(pattern, section) : `${current.trimEnd()}\n\n${section}\n`;
  writeFileSync(documentPath, next);
}
