import { useCallback, useEffect, useState } from 'react';
import { api } from '../lib/api.ts';
import { relative } from '../lib/format.ts';

interface UndeliveredPage {
  items: {
    id: number;
    orderingKey: string;
    status: string;
    attempts: number;
    lastError: string | null;
    createdAt: string;
  }[];
  counts: { pending: number; delivered: number; rejected: number; dead_letter: number };
}

/**
 * For auditors: scope decisions and posture callbacks the certification body never took (dead letters: the retry
 * schedule ran out; rejected: refused for good), with redelivery. Nothing is shown while everything arrives.
 */
export function UndeliveredPanel() {
  const [page, setPage] = useState<UndeliveredPage>();
  const [note, setNote] = useState<string>();
  const load = useCallback(() => {
    api<UndeliveredPage>('/v1/outbox/undelivered?limit=5').then(setPage, () => setPage(undefined));
  }, []);
  useEffect(load, [load]);
  if (!page) return null;
  const undelivered = page.counts.dead_letter + page.counts.rejected;
  if (undelivered === 0 && !note) return null;
  const redeliverAll = () => {
    api<{ redelivered: number[] }>('/v1/outbox/redeliver', { method: 'POST', body: {} }).then(
      (answer) => {
        setNote(`${answer.redelivered.length} handed back to delivery`);
        load();
      },
      (failure) => setNote(String(failure.message)),
    );
  };
  return (
    <div className="panel panel-warn" data-testid="undelivered">
      <strong>
        {undelivered} message{undelivered === 1 ? '' : 's'} to the certification body not delivered
      </strong>{' '}
      ({page.counts.dead_letter} dead letter{page.counts.dead_letter === 1 ? '' : 's'}, {page.counts.rejected} rejected)
      <ul className="small">
        {page.items.map((item) => (
          <li key={item.id}>
            #{item.id} ToE {item.orderingKey}: {item.status.replace('_', ' ')} after {item.attempts} attempt
            {item.attempts === 1 ? '' : 's'}, {relative(item.createdAt)} — {item.lastError ?? ''}
          </li>
        ))}
      </ul>
      <button className="button-secondary" onClick={redeliverAll}>
        Redeliver all
      </button>{' '}
      {note ? <span className="muted small">{note}</span> : null}
    </div>
  );
}
