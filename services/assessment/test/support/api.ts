import type { Server } from '@cabc/http-kit';

export interface InjectedAnswer {
  status: number;
  body: any;
  contentType: string;
}

/** An authenticated JSON call against an app that is not listening. */
export async function call(
  app: Server,
  method: string,
  url: string,
  token: string | undefined,
  body?: unknown,
): Promise<InjectedAnswer> {
  const response = await app.inject({
    method: method as 'GET',
    url,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    ...(body !== undefined ? { payload: JSON.stringify(body) } : {}),
  });
  const contentType = String(response.headers['content-type'] ?? '');
  return {
    status: response.statusCode,
    body: response.body && contentType.includes('json') ? JSON.parse(response.body) : response.body,
    contentType,
  };
}

export const toeInput = (name = 'credit-scoring') => ({
  name,
  businessPurpose: 'Scores consumer credit applications',
  fieldOfOperation: 'consumer lending',
  riskClass: 'high',
  owner: 'ml-platform team',
  artifacts: { models: [{ name: 'model.onnx', sha256: 'b'.repeat(64) }], datasets: [] },
});
