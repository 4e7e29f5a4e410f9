import type { Kysely } from 'kysely';
import { SigningKeyStore } from './signing-key-store.ts';

export const KEYS_USAGE = `usage: pnpm keys <list|prepare|rotate|reseal> --service <evidence-collector|assessment|certification-body>
  with the service's DATABASE_URL and KEY_ENCRYPTION_SECRET in the environment (docs/keys.md)
  list     the service's keys (next, active, retired) and the rows it refuses
  prepare  announce (publish) the next key; it signs after "rotate"
  rotate   activate the prepared next key (or a new one, announced now); the old key keeps verifying
  reseal   re-seal every key under NEW_KEY_ENCRYPTION_SECRET; then run the service with that secret
  (pnpm keys reseal-webhooks: the certification body's webhook secrets under NEW_WEBHOOK_ENCRYPTION_SECRET)`;

const SERVICES = ['evidence-collector', 'assessment', 'certification-body'] as const;

export interface KeysCommandResult {
  code: number;
  output: string;
}

/** `pnpm keys …` (scripts/keys.ts): operator key management on a service's own database. */
export async function runKeysCommand(
  args: readonly string[],
  env: Record<string, string | undefined>,
  openDatabase: (url: string) => Kysely<any>,
): Promise<KeysCommandResult> {
  const [command] = args;
  const serviceAt = args.indexOf('--service');
  const service = serviceAt >= 0 ? args[serviceAt + 1] : undefined;
  if (!command || !['list', 'prepare', 'rotate', 'reseal'].includes(command))
    return { code: 2, output: `unknown command ${command ?? '(none)'}\n${KEYS_USAGE}` };
  if (!service || !(SERVICES as readonly string[]).includes(service))
    return { code: 2, output: `--service must be one of ${SERVICES.join(', ')}\n${KEYS_USAGE}` };
  const url = env.DATABASE_URL;
  const secret = env.KEY_ENCRYPTION_SECRET;
  if (!url || !secret) return { code: 2, output: `DATABASE_URL and KEY_ENCRYPTION_SECRET must be set\n${KEYS_USAGE}` };
  const db = openDatabase(url);
  try {
    const store = new SigningKeyStore(db, { secret, service });
    const lines: string[] = [];
    if (command === 'prepare') {
      const { key, created } = await store.prepareNext();
      lines.push(
        `${created ? 'announced' : 'already announced'} next key ${key.kid}; it signs after "pnpm keys rotate"`,
      );
    } else if (command === 'rotate') {
      const { active, retired, promoted } = await store.rotate();
      lines.push(
        `rotated: ${active.kid} signs now (${promoted ? 'the announced next key' : 'a new key, announced now'}); ${retired.kid} retired, still published`,
      );
    } else if (command === 'reseal') {
      const next = env.NEW_KEY_ENCRYPTION_SECRET;
      if (!next || next.length < 16)
        return { code: 2, output: 'NEW_KEY_ENCRYPTION_SECRET (at least 16 characters) must be set' };
      const count = await store.reseal(next);
      lines.push(`re-sealed ${count} key(s); restart ${service} with KEY_ENCRYPTION_SECRET set to the new secret`);
    }
    const { keys, refused } = await store.list();
    for (const key of keys) lines.push(`${key.status.padEnd(8)} ${key.kid}  created ${key.createdAt}`);
    for (const key of refused) lines.push(`REFUSED  ${key.kid}  (${key.status}): ${key.reason}`);
    return { code: refused.length > 0 && command === 'list' ? 1 : 0, output: lines.join('\n') };
  } finally {
    await db.destroy();
  }
}
