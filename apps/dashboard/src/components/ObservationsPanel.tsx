import { useEffect, useState } from 'react';
import { api } from '../lib/api.ts';
import { canReview, useAuth } from '../lib/auth.tsx';
import { dateTime, label, shortId } from '../lib/format.ts';
import { useData } from '../lib/use-data.ts';
import { Badge, ErrorPanel, Loading } from './ui.tsx';

/** One observation of the anomaly and gaming detectors, as GET /v1/toes/{id}/observations answers it. */
export interface ObservationItem {
  id: string;
  signal: string;
  kind: string;
  score: number;
  evidenceIds: string[];
  explanation: string;
  state: 'open' | 'confirmed' | 'dismissed';
  decidedBy: string | null;
  decidedAt: string | null;
  decisionReason: string | null;
  findingId: string | null;
  createdAt: string;
}

/** The ToE's observations, reloaded in place when `pulse` changes (a new evaluation). */
export function useObservations(toeId: string, pulse: number) {
  const observations = useData<{ items: ObservationItem[] }>(toeId, () => api(`/v1/toes/${toeId}/observations`));
  const { reload } = observations;
  useEffect(() => {
    if (pulse > 0) reload();
  }, [pulse, reload]);
  return observations;
}

/** Evidence ids behind the open observations: the chart points to highlight. */
export const observedEvidence = (items: readonly ObservationItem[] | undefined): ReadonlySet<string> =>
  new Set((items ?? []).filter((item) => item.state === 'open').flatMap((item) => item.evidenceIds));

/**
 * What the detectors noticed in the evidence stream: findings for a human, never verdicts. The auditor confirms one
 * into a manual finding (with a validity window) or dismisses it with a reason.
 */
export function ObservationsPanel({
  toeId,
  pulse,
  requirements,
  openEvidence,
}: {
  toeId: string;
  pulse: number;
  requirements: { id: string; title: string }[];
  openEvidence: (id: string) => void;
}) {
  const { session } = useAuth();
  const observations = useObservations(toeId, pulse);
  if (observations.error) return <ErrorPanel error={observations.error} />;
  if (!observations.data) return <Loading what="observations" />;
  const items = [...observations.data.items].reverse();
  if (items.length === 0) return <div className="panel muted">Nothing unusual in the evidence stream so far.</div>;
  return (
    <div data-testid="observations">
      <p className="muted small">
        Observations do not change the posture by themselves (unless a requirement opted in to counting a high-scoring
        one as pending). Score: 0.5 at a detector's alarm threshold, 0.75 at twice it.
      </p>
      <table className="table">
        <thead>
          <tr>
            <th>Raised</th>
            <th>Signal</th>
            <th>Score</th>
            <th>What the detectors saw</th>
            <th>Evidence</th>
            <th>State</th>
          </tr>
        </thead>
        <tbody>
          {items.map((item) => (
            <tr key={item.id} data-testid="observation" data-signal={item.signal} data-state={item.state}>
              <td>{dateTime(item.createdAt)}</td>
              <td>
                {label(item.signal)} <span className="muted small">{item.kind}</span>
              </td>
              <td>{item.score.toFixed(3)}</td>
              <td>
                {item.explanation}
                {item.state !== 'open' ? (
                  <div className="muted small">
                    {item.state} by {item.decidedBy} {dateTime(item.decidedAt)}: {item.decisionReason}
                  </div>
                ) : null}
                {item.state === 'open' && canReview(session) ? (
                  <Decision
                    toeId={toeId}
                    observation={item}
                    requirements={requirements}
                    onDecided={observations.reload}
                  />
                ) : null}
              </td>
              <td>
                {item.evidenceIds.map((id) => (
                  <button key={id} className="link-button" onClick={() => openEvidence(id)} title={id}>
                    {shortId(id)}
                  </button>
                ))}
              </td>
              <td>
                <Badge status={item.state} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Decision({
  toeId,
  observation,
  requirements,
  onDecided,
}: {
  toeId: string;
  observation: ObservationItem;
  requirements: { id: string; title: string }[];
  onDecided: () => void;
}) {
  const [requirementId, setRequirementId] = useState(requirements[0]?.id ?? '');
  const [days, setDays] = useState(30);
  const [text, setText] = useState('');
  const [error, setError] = useState<unknown>();
  const base = `/v1/toes/${toeId}/observations/${observation.id}`;
  const decide = async (action: 'confirm' | 'dismiss') => {
    try {
      setError(undefined);
      const body =
        action === 'confirm'
          ? {
              requirementId,
              validUntil: new Date(Date.now() + days * 86_400_000).toISOString(),
              ...(text.trim() ? { comment: text.trim() } : {}),
            }
          : { reason: text };
      await api(`${base}/${action}`, { method: 'POST', body });
      onDecided();
    } catch (failure) {
      setError(failure);
    }
  };
  return (
    <div className="row-gap small observation-decision">
      <select aria-label="requirement" value={requirementId} onChange={(event) => setRequirementId(event.target.value)}>
        {requirements.map((requirement) => (
          <option key={requirement.id} value={requirement.id}>
            {requirement.id}
          </option>
        ))}
      </select>
      <label>
        valid for{' '}
        <input
          aria-label="validity in days"
          type="number"
          min={1}
          max={366}
          value={days}
          onChange={(event) => setDays(Number(event.target.value))}
        />{' '}
        days
      </label>
      <input
        aria-label="reason"
        placeholder="why (required to dismiss)"
        value={text}
        onChange={(event) => setText(event.target.value)}
      />
      <button onClick={() => void decide('confirm')}>Confirm as finding</button>
      <button className="button-secondary" onClick={() => void decide('dismiss')}>
        Dismiss
      </button>
      {error ? <ErrorPanel error={error} /> : null}
    </div>
  );
}
