import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { connectionState, isInfrastructureUnavailable } from '../src/index.ts';

function capturedLogger() {
  const lines: { level: number; msg: string; connection?: string; error?: { code?: string }; err?: unknown }[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { logger: pino({ level: 'info' }, stream), lines };
}

const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6379'), { code: 'ECONNREFUSED' });

describe('infrastructure outages in the log', () => {
  it('logs an outage once when it starts and once when it ends, without stacks', async () => {
    const { logger, lines } = capturedLogger();
    const state = connectionState(logger, 'Redis');
    state.up();
    for (let attempt = 0; attempt < 50; attempt += 1) state.down(refused);
    expect(state.isDown).toBe(true);
    state.up();
    state.up();
    await new Promise((resolve) => setImmediate(resolve));
    expect(lines.map((line) => [line.level, line.msg])).toEqual([
      [40, 'Redis unavailable; reconnecting'],
      [30, 'Redis available again'],
    ]);
    expect(lines[0]).toMatchObject({ connection: 'Redis', error: { code: 'ECONNREFUSED' } });
    expect(JSON.stringify(lines)).not.toContain('stack');
  });

  it('tells a lost connection from a fault of the request', () => {
    expect(isInfrastructureUnavailable(refused)).toBe(true);
    expect(isInfrastructureUnavailable(Object.assign(new Error('terminating connection'), { code: '57P01' }))).toBe(
      true,
    );
    expect(isInfrastructureUnavailable(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(isInfrastructureUnavailable(new Error('wrapped', { cause: refused }))).toBe(true);
    expect(isInfrastructureUnavailable(Object.assign(new Error('duplicate key'), { code: '23505' }))).toBe(false);
    expect(isInfrastructureUnavailable(new Error('invalid input syntax'))).toBe(false);
    expect(isInfrastructureUnavailable(undefined)).toBe(false);
  });
});
