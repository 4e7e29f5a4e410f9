import { expect } from 'vitest';
import type { Server } from '@cabc/http-kit';
import { call, type InjectedAnswer } from './api.ts';

/** Starts a dry run (202 + Location) and polls its job until it is done; the final answer of GET /v1/dry-runs/{id}. */
export async function dryRunOf(app: Server, toeId: string, version: number, token: string): Promise<InjectedAnswer> {
  const started = await call(app, 'POST', `/v1/toes/${toeId}/scopes/${version}/dry-run`, token);
  if (started.status !== 202) return started;
  const location = started.body.location as string;
  for (let attempt = 0; attempt < 600; attempt += 1) {
    const polled = await call(app, 'GET', location, token);
    if (polled.status !== 202) return polled;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  expect.fail(`the dry run at ${location} did not finish`);
}
