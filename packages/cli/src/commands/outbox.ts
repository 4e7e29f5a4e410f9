import { Command } from 'commander';

interface OutboxOptions {
  service: string;
  token?: string;
  json?: boolean;
}

interface UndeliveredPage {
  items: {
    id: number;
    topic: string;
    orderingKey: string;
    status: string;
    attempts: number;
    lastError: string | null;
    deadLetteredAt: string | null;
  }[];
  nextCursor: string | null;
  counts: Record<string, number>;
}

function tokenOf(options: OutboxOptions): string {
  const token = options.token || process.env.CABC_TOKEN;
  if (!token) throw new Error('a bearer token is required: --token <t> or CABC_TOKEN (an admin of the service)');
  return token;
}

function baseUrl(options: OutboxOptions): string {
  try {
    return new URL(options.service).toString().replace(/\/$/, '');
  } catch {
    throw new Error(`--service ${options.service}: not a URL`);
  }
}

async function call<T>(method: string, url: string, token: string, body?: unknown): Promise<T> {
  const response = await fetch(url, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${url}: HTTP ${response.status} ${text}`);
  return JSON.parse(text) as T;
}

const serviceOption = (command: Command) =>
  command
    .option(
      '--service <url>',
      'base URL of the collector or the assessment service (env CABC_SERVICE_URL)',
      process.env.CABC_SERVICE_URL || 'http://127.0.0.1:8081',
    )
    .option('--token <token>', 'bearer token of an admin of the service (env CABC_TOKEN)')
    .option('--json', 'print JSON instead of text');

/** `cabc outbox list|redeliver`: the dead letters of a service's outbox, and handing them back to delivery. */
export function registerOutboxCommand(program: Command): void {
  const outbox = program.command('outbox').description("a service's outbox: messages it could not deliver");
  outbox.addCommand(
    serviceOption(new Command('list').description('dead letters and rejected messages, newest first')).action(
      async (options: OutboxOptions) => {
        const token = tokenOf(options);
        const items: UndeliveredPage['items'] = [];
        let cursor: string | null = null;
        let counts: Record<string, number> = {};
        do {
          const query: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
          const page: UndeliveredPage = await call(
            'GET',
            `${baseUrl(options)}/v1/outbox/undelivered?limit=200${query}`,
            token,
          );
          items.push(...page.items);
          counts = page.counts;
          cursor = page.nextCursor;
        } while (cursor);
        if (options.json) {
          process.stdout.write(`${JSON.stringify({ counts, items }, null, 2)}\n`);
          return;
        }
        const summary = Object.entries(counts)
          .map(([status, count]) => `${status} ${count}`)
          .join(', ');
        process.stdout.write(`outbox: ${summary}\n`);
        for (const item of items) {
          process.stdout.write(
            `${item.id}\t${item.status}\t${item.topic}/${item.orderingKey}\tattempts ${item.attempts}\t${item.lastError ?? ''}\n`,
          );
        }
      },
    ),
  );
  outbox.addCommand(
    serviceOption(
      new Command('redeliver')
        .description('hand dead letters and rejected messages back to delivery, with a fresh retry schedule')
        .argument('[ids...]', 'outbox message ids (see cabc outbox list)')
        .option('--all', 'every dead letter and rejected message'),
    ).action(async (ids: string[], options: OutboxOptions & { all?: boolean }) => {
      if (ids.length === 0 && !options.all) throw new Error('name the message ids to redeliver, or --all');
      if (ids.length > 0 && options.all) throw new Error('either message ids or --all, not both');
      const numbers = ids.map((id) => {
        const value = Number(id);
        if (!Number.isSafeInteger(value) || value < 1) throw new Error(`${id}: not an outbox message id`);
        return value;
      });
      const body = options.all ? {} : { ids: numbers };
      const answer = await call<{ redelivered: number[] }>(
        'POST',
        `${baseUrl(options)}/v1/outbox/redeliver`,
        tokenOf(options),
        body,
      );
      if (options.json) process.stdout.write(`${JSON.stringify(answer)}\n`);
      else process.stdout.write(`redelivering ${answer.redelivered.length}: ${answer.redelivered.join(' ')}\n`);
    }),
  );
}
