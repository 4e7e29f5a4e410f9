import { createHmac } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedWebhook {
  id: string;
  timestamp: string;
  signature: string;
  body: string;
  receivedAt: number;
}

/**
 * A real HTTP receiver on 127.0.0.1 that records every request; it can go down and come back on the same port. The
 * certification body only delivers to loopback with WEBHOOK_ALLOW_LOOPBACK=true.
 */
export async function startWebhookReceiver(options: { status?: number; body?: string } = {}) {
  const received: ReceivedWebhook[] = [];
  let answer = options.status ?? 204;
  let answerBody = options.body;
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({
        id: String(request.headers['webhook-id'] ?? ''),
        timestamp: String(request.headers['webhook-timestamp'] ?? ''),
        signature: String(request.headers['webhook-signature'] ?? ''),
        body: Buffer.concat(chunks).toString('utf8'),
        receivedAt: Date.now(),
      });
      response.writeHead(answer, { connection: 'close' }).end(answerBody);
    });
  });
  const listen = (port: number) =>
    new Promise<number>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve((server.address() as AddressInfo).port);
      });
    });
  const port = await listen(0);
  return {
    port,
    url: `http://127.0.0.1:${port}/hooks/cabc`,
    received,
    answerWith(status: number, body?: string) {
      answer = status;
      answerBody = body;
    },
    /** Stops accepting connections (as if the receiver's host went down). */
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
    start: () => listen(port),
  };
}

/** Standard Webhooks verification, written from the spec rather than with the code under test. */
export function signatureVerifies(secret: string, webhook: ReceivedWebhook): boolean {
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const expected = createHmac('sha256', key)
    .update(`${webhook.id}.${webhook.timestamp}.${webhook.body}`)
    .digest('base64');
  return webhook.signature.split(' ').some((entry) => entry === `v1,${expected}`);
}
