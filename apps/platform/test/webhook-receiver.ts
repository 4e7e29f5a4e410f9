import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';

export interface ReceivedWebhook {
  id: string;
  type: string;
  data: { eventId: number; certificateId: string; toe: string; from: string; to: string; reason: string };
  signatureValid: boolean;
}

/** A subscriber's endpoint on 127.0.0.1 that checks Standard Webhooks signatures; it can be stopped and restarted. */
export async function startWebhookReceiver(port: number) {
  const received: ReceivedWebhook[] = [];
  let secret = '';
  let server: Server | undefined;
  const verify = (headers: Record<string, string | string[] | undefined>, body: string) => {
    const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
    const expected = createHmac('sha256', key)
      .update(`${headers['webhook-id']}.${headers['webhook-timestamp']}.${body}`)
      .digest();
    return String(headers['webhook-signature'] ?? '')
      .split(' ')
      .some((entry) => {
        const [version, signature] = entry.split(',');
        const given = Buffer.from(signature ?? '', 'base64');
        return version === 'v1' && given.length === expected.length && timingSafeEqual(given, expected);
      });
  };
  const start = () =>
    new Promise<void>((resolve) => {
      server = createServer((request, response) => {
        let body = '';
        request.on('data', (chunk) => (body += chunk));
        request.on('end', () => {
          const parsed = JSON.parse(body) as { type: string; data: ReceivedWebhook['data'] };
          received.push({
            id: String(request.headers['webhook-id']),
            type: parsed.type,
            data: parsed.data,
            signatureValid: verify(request.headers, body),
          });
          response.writeHead(204).end();
        });
      });
      server.listen(port, '127.0.0.1', () => resolve());
    });
  await start();
  return {
    url: `http://127.0.0.1:${port}/hooks/cabc`,
    received,
    useSecret: (value: string) => {
      secret = value;
    },
    stop: () => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())),
    start,
  };
}
