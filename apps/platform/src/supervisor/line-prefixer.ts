import type { Readable, Writable } from 'node:stream';

/**
 * Copies `input` to `output` line by line, each line prefixed with `name`, so interleaved processes stay readable;
 * `seen` gets each line as it was.
 */
export function prefixLines(input: Readable, output: Writable, name: string, seen?: (line: string) => void): void {
  let pending = '';
  input.setEncoding('utf8');
  input.on('data', (chunk: string) => {
    const lines = (pending + chunk).split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      output.write(`${name} | ${line}\n`);
      seen?.(line);
    }
  });
  input.on('end', () => {
    if (pending) {
      output.write(`${name} | ${pending}\n`);
      seen?.(pending);
    }
    pending = '';
  });
}
