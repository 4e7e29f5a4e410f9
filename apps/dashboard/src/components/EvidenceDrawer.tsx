import { useState } from 'react';
import { api, ApiError, download } from '../lib/api.ts';
import { dateTime, decodeJwt, formatValue } from '../lib/format.ts';
import { useData } from '../lib/use-data.ts';
import { Badge, ErrorPanel, Loading, Mono } from './ui.tsx';

export interface EvidenceItem {
  id: string;
  sequence: number;
  kind: string;
  observedAt: string;
  receivedAt: string;
  envelopeSha256: string;
  statementSha256: string;
  keyid: string;
  logIndex: number | null;
  producer: { tool?: string; toolVersion?: string; pipelineRunId?: string; uri?: string } | null;
  context: Record<string, string> | null;
  measurements: { name: string; value: unknown; unit?: string; slice?: string }[];
  measurementCount: number;
  checks: { name: string; status: string; detail?: string }[];
  checkCount: number;
  raw: { digest: { sha256: string }; mediaType: string; uri?: string } | null;
  receipt: string;
  verification: {
    state: string;
    envelopeDigest: string;
    signature: string;
    keyid: string;
    keyInScope: boolean;
    receipt: string;
    detail: string | null;
  };
  links: { envelope: string; evidence: string; inclusionProof: string | null; raw: string | null };
  predicate?: unknown;
}

const VERIFICATION_TEXT: Record<string, string> = {
  verified: 'signature, digest and receipt verified; key trusted by the scope in force',
  key_not_in_scope: 'valid, but signed by a key the scope in force no longer names',
  failed: 'a check failed',
};

export function VerificationBadge({ verification }: { verification: EvidenceItem['verification'] }) {
  return <Badge status={verification.state} title={verification.detail ?? VERIFICATION_TEXT[verification.state]} />;
}

/** Everything about one piece of evidence: the checks made again now, digests, receipt, ledger, the signed predicate. */
export function EvidenceDrawer({
  toeId,
  evidenceId,
  onClose,
}: {
  toeId: string;
  evidenceId: string;
  onClose: () => void;
}) {
  const evidence = useData<EvidenceItem>(`${toeId}/${evidenceId}`, () =>
    api(`/v1/toes/${toeId}/evidence/${evidenceId}`),
  );
  const [proof, setProof] = useState<unknown>();
  const [message, setMessage] = useState<string>();
  const item = evidence.data;
  const receipt = item ? decodeJwt(item.receipt) : undefined;
  const fetchRaw = async () => {
    if (!item?.links.raw) return;
    try {
      await download(item.links.raw, `${item.raw?.digest.sha256}.raw`, { service: 'collector' });
    } catch (error) {
      setMessage(
        error instanceof ApiError && (error.status === 403 || error.status === 404)
          ? 'The raw artifact is kept by the auditee’s evidence collector; your role cannot read it there. Its SHA-256 above is signed in the statement.'
          : String((error as Error).message),
      );
    }
  };
  return (
    <div className="drawer-backdrop" onClick={onClose}>
      <aside className="drawer" role="dialog" aria-label="Evidence" onClick={(event) => event.stopPropagation()}>
        <header className="drawer-header">
          <h2>Evidence {item ? `#${item.sequence}` : ''}</h2>
          <button className="button-quiet" onClick={onClose} aria-label="Close">
            ✕
          </button>
        </header>
        {evidence.error ? <ErrorPanel error={evidence.error} /> : null}
        {!item && !evidence.error ? <Loading /> : null}
        {item ? (
          <div className="drawer-body">
            <section>
              <div className="row-gap">
                <VerificationBadge verification={item.verification} />
                <span className="muted">{VERIFICATION_TEXT[item.verification.state]}</span>
              </div>
              <table className="kv">
                <tbody>
                  <tr>
                    <th>Envelope digest</th>
                    <td>{item.verification.envelopeDigest}</td>
                  </tr>
                  <tr>
                    <th>DSSE signature</th>
                    <td>
                      {item.verification.signature}{' '}
                      <span className="muted">
                        (key {item.keyid.slice(0, 16)}…,{' '}
                        {item.verification.keyInScope ? 'in the scope in force' : 'not in the scope in force'})
                      </span>
                    </td>
                  </tr>
                  <tr>
                    <th>Receipt</th>
                    <td>{item.verification.receipt}</td>
                  </tr>
                  {item.verification.detail ? (
                    <tr>
                      <th>Detail</th>
                      <td>{item.verification.detail}</td>
                    </tr>
                  ) : null}
                </tbody>
              </table>
            </section>
            <section>
              <h3>Facts</h3>
              <table className="kv">
                <tbody>
                  <tr>
                    <th>Kind</th>
                    <td>{item.kind}</td>
                  </tr>
                  <tr>
                    <th>Observed</th>
                    <td>{dateTime(item.observedAt)}</td>
                  </tr>
                  <tr>
                    <th>Received</th>
                    <td>{dateTime(item.receivedAt)}</td>
                  </tr>
                  <tr>
                    <th>Producer</th>
                    <td>
                      {item.producer?.tool ?? '—'} {item.producer?.toolVersion ?? ''}{' '}
                      {item.producer?.pipelineRunId ? (
                        <span className="muted">run {item.producer.pipelineRunId}</span>
                      ) : null}
                    </td>
                  </tr>
                  <tr>
                    <th>Envelope SHA-256</th>
                    <td>
                      <Mono>{item.envelopeSha256}</Mono>
                    </td>
                  </tr>
                  <tr>
                    <th>Statement SHA-256</th>
                    <td>
                      <Mono>{item.statementSha256}</Mono>
                    </td>
                  </tr>
                  <tr>
                    <th>Ledger index</th>
                    <td>{item.logIndex ?? '—'}</td>
                  </tr>
                  {item.raw ? (
                    <tr>
                      <th>Raw artifact</th>
                      <td>
                        {item.raw.mediaType} <Mono>{item.raw.digest.sha256}</Mono>
                      </td>
                    </tr>
                  ) : null}
                </tbody>
              </table>
              <div className="row-gap">
                <button onClick={() => void download(item.links.envelope, `evidence-${item.sequence}.dsse.json`)}>
                  Download signed envelope
                </button>
                {item.links.raw ? (
                  <button className="button-secondary" onClick={() => void fetchRaw()}>
                    Raw artifact
                  </button>
                ) : null}
                {item.links.inclusionProof ? (
                  <button
                    className="button-secondary"
                    onClick={() =>
                      void api(item.links.inclusionProof!).then(setProof, (error) => setMessage(String(error.message)))
                    }
                  >
                    Ledger inclusion proof
                  </button>
                ) : null}
              </div>
              {message ? <p className="muted">{message}</p> : null}
              {proof ? <pre className="json">{JSON.stringify(proof, null, 2)}</pre> : null}
            </section>
            {item.measurements.length > 0 ? (
              <section>
                <h3>Measurements ({item.measurementCount})</h3>
                <table className="table compact">
                  <tbody>
                    {item.measurements.map((measurement, index) => (
                      <tr key={index}>
                        <td>
                          {measurement.name}
                          {measurement.slice ? <span className="muted"> [{measurement.slice}]</span> : null}
                        </td>
                        <td className="num">
                          {formatValue(measurement.value)} {measurement.unit ?? ''}
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </section>
            ) : null}
            {item.checks.length > 0 ? (
              <section>
                <h3>Checks ({item.checkCount})</h3>
                <ul className="plain">
                  {item.checks.map((check, index) => (
                    <li key={index}>
                      <Badge
                        status={
                          check.status === 'pass'
                            ? 'compliant'
                            : check.status === 'warn'
                              ? 'suspended'
                              : 'non_compliant'
                        }
                        title={check.status}
                      />{' '}
                      {check.name} <span className="muted">{check.detail}</span>
                    </li>
                  ))}
                </ul>
              </section>
            ) : null}
            <section>
              <h3>Receipt</h3>
              <p className="muted">Signed by the auditor’s assessment service when the envelope arrived.</p>
              <pre className="json">{JSON.stringify(receipt?.claims ?? {}, null, 2)}</pre>
              <details>
                <summary>JWS</summary>
                <Mono>{item.receipt}</Mono>
              </details>
            </section>
            <section>
              <details>
                <summary>Signed predicate</summary>
                <pre className="json">{JSON.stringify(item.predicate, null, 2)}</pre>
              </details>
            </section>
          </div>
        ) : null}
      </aside>
    </div>
  );
}
