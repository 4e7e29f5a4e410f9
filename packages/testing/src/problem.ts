import { expect } from 'vitest';

interface InjectedResponse {
  statusCode: number;
  headers: Record<string, unknown>;
  body: string;
}

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance: string;
  requestId: string;
  errors?: { field: string; message: string }[];
  [extension: string]: unknown;
}

/**
 * Asserts an RFC 9457 answer: status, media type, every member we promise, and (when given) that `errors[].field`
 * names `field` exactly.
 */
export function expectProblem(response: InjectedResponse, status: number, field?: string): ProblemBody {
  expect(response.statusCode, response.body).toBe(status);
  expect(String(response.headers['content-type'])).toMatch(/^application\/problem\+json/);
  const body = JSON.parse(response.body) as ProblemBody;
  expect(body).toMatchObject({
    type: expect.stringMatching(/^https:\/\/cabc\.dev\/problems\/[a-z0-9-]+$/),
    title: expect.any(String),
    status,
    detail: expect.any(String),
    instance: expect.stringMatching(/^\//),
    requestId: expect.any(String),
  });
  expect(body.title.length).toBeGreaterThan(0);
  expect(body.detail.length).toBeGreaterThan(0);
  expect(body.requestId).toBe(response.headers['x-request-id']);
  if (field !== undefined) {
    expect(body.errors?.map((error) => error.field)).toContain(field);
    for (const error of body.errors ?? []) expect(error.message.length).toBeGreaterThan(0);
  }
  return body;
}
