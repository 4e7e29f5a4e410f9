import type { OutboxRepository, PendingHead } from './outbox.repository.ts';

/**
 * What the outbox reconciler re-enqueues each round: the head of each ordering key (the messages behind it wait for
 * it anyway), `batch` keys at a time, walking on from where the previous round stopped and wrapping round, so every
 * key is reached within (keys / batch) rounds however many messages one key holds.
 */
export function fairPendingHeads(outbox: OutboxRepository, batch: number) {
  let after: { topic: string; orderingKey: string } | undefined;
  return async (olderThan: Date): Promise<number[]> => {
    let heads: PendingHead[] = await outbox.pendingHeads(olderThan, batch, after);
    if (heads.length < batch && after) {
      // The end of the keys: start over from the first one in the same round.
      const fromStart = await outbox.pendingHeads(olderThan, batch - heads.length);
      const seen = new Set(heads.map((head) => head.id));
      heads = [...heads, ...fromStart.filter((head) => !seen.has(head.id))];
    }
    const last = heads.at(-1);
    after = heads.length >= batch && last ? { topic: last.topic, orderingKey: last.orderingKey } : undefined;
    return heads.map((head) => head.id);
  };
}
