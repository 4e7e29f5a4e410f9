import type { ReportData, RequirementReport } from './report-data.ts';
import type { SeriesPoint } from './reporting.repository.ts';
import { passes, type Threshold } from './series.ts';

const escapeHtml = (value: unknown) =>
  String(value ?? '').replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );

const STATUS_COLOURS: Record<string, string> = {
  compliant: '#1a7f37',
  non_compliant: '#cf222e',
  pending: '#6e7781',
  error: '#bc4c00',
  good: '#1a7f37',
  issued: '#1a7f37',
  suspended: '#bf8700',
  revoked: '#cf222e',
  expired: '#6e7781',
  withdrawn: '#6e7781',
  unknown: '#6e7781',
};

const badge = (status: string) =>
  `<span class="badge" style="background:${STATUS_COLOURS[status] ?? '#57606a'}">${escapeHtml(status.replace('_', '-'))}</span>`;
const when = (date: Date | string | null | undefined) =>
  date
    ? escapeHtml(
        new Date(date)
          .toISOString()
          .replace('T', ' ')
          .replace(/\.\d+Z$/, 'Z'),
      )
    : '—';
const short = (digest: string) => `<code title="${escapeHtml(digest)}">${escapeHtml(digest.slice(0, 16))}…</code>`;

/** A line chart of a metric in the window with the requirement's threshold, as inline SVG (no script: prints as is). */
export function svgChart(
  points: readonly SeriesPoint[],
  threshold: Threshold,
  window: { from: Date; to: Date },
  options: { width?: number; height?: number; observed?: ReadonlySet<string> } = {},
): string {
  const width = options.width ?? 720;
  const height = options.height ?? 200;
  const pad = { left: 52, right: 12, top: 12, bottom: 28 };
  const values = points.map((point) => point.value);
  let low = Math.min(threshold.target, ...values);
  let high = Math.max(threshold.target, ...values);
  if (high - low < 1e-9) {
    low -= 1;
    high += 1;
  }
  const margin = (high - low) * 0.08;
  low -= margin;
  high += margin;
  const t0 = window.from.getTime();
  const t1 = window.to.getTime();
  const x = (time: number) => pad.left + ((time - t0) / Math.max(1, t1 - t0)) * (width - pad.left - pad.right);
  const y = (value: number) => pad.top + (1 - (value - low) / (high - low)) * (height - pad.top - pad.bottom);
  const yTicks = Array.from({ length: 5 }, (_, i) => low + ((high - low) * i) / 4);
  const xTicks = Array.from({ length: 5 }, (_, i) => t0 + ((t1 - t0) * i) / 4);
  const fmt = (value: number) =>
    Math.abs(value) >= 100 ? value.toFixed(0) : Math.abs(value) >= 1 ? value.toFixed(2) : value.toFixed(3);
  const failAbove = threshold.operator === '<' || threshold.operator === '<=';
  const failRect = failAbove
    ? `<rect x="${pad.left}" y="${pad.top}" width="${width - pad.left - pad.right}" height="${Math.max(0, y(threshold.target) - pad.top)}" fill="#cf222e" opacity="0.07"/>`
    : `<rect x="${pad.left}" y="${y(threshold.target)}" width="${width - pad.left - pad.right}" height="${Math.max(0, height - pad.bottom - y(threshold.target))}" fill="#cf222e" opacity="0.07"/>`;
  const line = points.map((point) => `${x(point.at.getTime()).toFixed(1)},${y(point.value).toFixed(1)}`).join(' ');
  const dots =
    points.length <= 400
      ? points
          .map(
            (point) =>
              `<circle cx="${x(point.at.getTime()).toFixed(1)}" cy="${y(point.value).toFixed(1)}" r="2.5" fill="${passes(threshold, point.value) ? '#0969da' : '#cf222e'}"/>`,
          )
          .join('')
      : points
          .filter((point) => !passes(threshold, point.value))
          .map(
            (point) =>
              `<circle cx="${x(point.at.getTime()).toFixed(1)}" cy="${y(point.value).toFixed(1)}" r="2" fill="#cf222e"/>`,
          )
          .join('');
  // Points behind an anomaly observation of the window, ringed in orange.
  const rings = points
    .filter((point) => options.observed?.has(point.evidenceId))
    .map(
      (point) =>
        `<circle class="observed" cx="${x(point.at.getTime()).toFixed(1)}" cy="${y(point.value).toFixed(1)}" r="6" fill="none" stroke="#bc4c00" stroke-width="2"/>`,
    )
    .join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${escapeHtml(`${threshold.selector.metric} with threshold ${threshold.operator} ${threshold.target}`)}">
  <rect x="0" y="0" width="${width}" height="${height}" fill="#fff"/>
  ${failRect}
  ${yTicks.map((tick) => `<line x1="${pad.left}" x2="${width - pad.right}" y1="${y(tick)}" y2="${y(tick)}" stroke="#eaeef2"/><text x="${pad.left - 6}" y="${y(tick) + 4}" text-anchor="end" font-size="10" fill="#57606a">${fmt(tick)}</text>`).join('')}
  ${xTicks.map((tick) => `<text x="${x(tick)}" y="${height - 8}" text-anchor="middle" font-size="10" fill="#57606a">${new Date(tick).toISOString().slice(0, 10)}</text>`).join('')}
  <line x1="${pad.left}" x2="${width - pad.right}" y1="${y(threshold.target)}" y2="${y(threshold.target)}" stroke="#cf222e" stroke-width="1.5" stroke-dasharray="6 4"/>
  <text x="${width - pad.right - 4}" y="${y(threshold.target) - 5}" text-anchor="end" font-size="10" fill="#cf222e">${escapeHtml(`${threshold.operator} ${threshold.target}`)}</text>
  ${points.length > 1 ? `<polyline points="${line}" fill="none" stroke="#0969da" stroke-width="1.5"/>` : ''}
  ${dots}
  ${rings}
  ${points.length === 0 ? `<text x="${width / 2}" y="${height / 2}" text-anchor="middle" font-size="12" fill="#57606a">no measurements in the window</text>` : ''}
</svg>`;
}

/** What the anomaly and gaming detectors raised in the window, and what the auditor decided (docs/anomalies.md). */
function observationSection(observations: ReportData['observations']): string {
  if (observations.length === 0)
    return '<p class="muted">The anomaly and gaming detectors raised nothing in the window.</p>';
  const rows = observations
    .map(
      (observation) =>
        `<tr id="obs-${escapeHtml(observation.id)}"><td>${when(observation.createdAt)}</td><td><strong>${escapeHtml(observation.signal.replaceAll('_', ' '))}</strong><br><span class="muted">${escapeHtml(observation.kind)} · score ${observation.score.toFixed(3)}</span></td><td>${escapeHtml(observation.explanation)}</td><td>${observation.evidenceIds.map((id) => `<a href="#ev-${escapeHtml(id)}"><code>${escapeHtml(id.slice(0, 8))}</code></a>`).join(', ')}</td><td>${escapeHtml(observation.state)}${observation.state === 'open' ? '' : `<br><span class="muted">by ${escapeHtml(observation.decidedBy)} ${when(observation.decidedAt)}: ${escapeHtml(observation.decisionReason)}${observation.findingId ? ` (finding <code>${escapeHtml(observation.findingId.slice(0, 8))}</code>)` : ''}</span>`}</td></tr>`,
    )
    .join('');
  return `<p class="muted">Findings for a human, not verdicts: an observation changes no result by itself; the auditor confirms it into a manual finding or dismisses it with a reason. Score 0.5 at a detector's alarm threshold, 0.75 at twice it.</p>
<table><thead><tr><th>Raised</th><th>Signal</th><th>What the detectors saw</th><th>Evidence</th><th>Decision</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function requirementRows(requirements: RequirementReport[]): string {
  return requirements
    .map((report) => {
      const final = report.final;
      return `<tr>
  <td><strong>${escapeHtml(report.requirement.id)}</strong><br><span class="muted">${escapeHtml(report.requirement.title)}</span></td>
  <td>${escapeHtml(report.requirement.severity)}${report.requirement.critical ? ' <span class="critical">critical</span>' : ''}</td>
  <td>${badge(final?.status ?? 'pending')}</td>
  <td class="num">${report.counts.compliant}</td><td class="num">${report.counts.non_compliant}</td><td class="num">${report.counts.pending + report.counts.error}</td>
  <td>${escapeHtml(final?.reason ?? 'not evaluated in or before the window')}<br><span class="muted">${final ? `evaluated ${when(final.evaluatedAt)}` : ''}${final?.evidenceIds.length ? ` · evidence ${final.evidenceIds.map((id) => `<a href="#ev-${id}"><code>${escapeHtml(id.slice(0, 8))}</code></a>`).join(', ')}` : ''}</span></td>
</tr>`;
    })
    .join('\n');
}

/** The audit report for a window, as one self-contained HTML page (inline CSS and SVG; also the PDF's source). */
export function renderAuditReportHtml(data: ReportData, context: { generatedBy: string; base: string }): string {
  const counts = { compliant: 0, non_compliant: 0, pending: 0, error: 0 } as Record<string, number>;
  for (const report of data.requirements) counts[report.final?.status ?? 'pending']! += 1;
  const changes = data.requirements
    .flatMap((report) => report.changes.map((change) => ({ ...change, requirement: report.requirement.id })))
    .sort((a, b) => a.at.getTime() - b.at.getTime());
  const charts = data.requirements.flatMap((report) => report.charts.map((chart) => ({ report, chart })));
  const certificate = data.certificates.certificates[0];
  const observed = new Set(data.observations.flatMap((observation) => observation.evidenceIds));
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>Audit report — ${escapeHtml(data.toe.name)}</title>
<style>
  @page { size: A4; margin: 16mm 14mm; }
  * { box-sizing: border-box; }
  body { font-family: "DejaVu Sans", "Helvetica Neue", Arial, sans-serif; color: #1f2328; font-size: 11px; line-height: 1.45; margin: 0; padding: 24px; max-width: 900px; }
  @media print { body { padding: 0; } }
  h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 15px; margin: 22px 0 8px; border-bottom: 2px solid #d0d7de; padding-bottom: 3px; }
  h3 { font-size: 12px; margin: 12px 0 4px; }
  .muted { color: #57606a; } .num { text-align: right; font-variant-numeric: tabular-nums; }
  table { border-collapse: collapse; width: 100%; margin: 4px 0 10px; } th, td { border-bottom: 1px solid #d8dee4; padding: 4px 6px; text-align: left; vertical-align: top; }
  th { background: #f6f8fa; font-weight: 600; font-size: 10px; text-transform: uppercase; letter-spacing: .03em; }
  tr { page-break-inside: avoid; }
  code { font-family: "DejaVu Sans Mono", Menlo, monospace; font-size: 10px; word-break: break-all; }
  .badge { display: inline-block; color: #fff; border-radius: 10px; padding: 1px 8px; font-size: 10px; font-weight: 600; text-transform: uppercase; }
  .critical { color: #cf222e; font-weight: 600; font-size: 10px; }
  .tiles { display: flex; gap: 10px; margin: 12px 0; } .tile { flex: 1; border: 1px solid #d0d7de; border-radius: 6px; padding: 8px 10px; }
  .tile .label { font-size: 10px; color: #57606a; text-transform: uppercase; } .tile .value { font-size: 18px; font-weight: 700; margin-top: 2px; }
  .chart-box { page-break-inside: avoid; margin-bottom: 10px; } svg.chart { max-width: 100%; height: auto; border: 1px solid #d0d7de; border-radius: 4px; }
  .meta td { border: none; padding: 1px 8px 1px 0; } a { color: #0969da; text-decoration: none; }
</style></head>
<body>
<header>
  <div class="muted">CABC — continuous auditing based certification · audit report</div>
  <h1>${escapeHtml(data.toe.name)}</h1>
  <table class="meta">
    <tr><td class="muted">Target of evaluation</td><td><code>${escapeHtml(data.toe.id)}</code> · ${escapeHtml(data.toe.org)} · risk class ${escapeHtml(data.toe.riskClass)}</td></tr>
    <tr><td class="muted">Window</td><td>${when(data.window.from)} – ${when(data.window.to)}</td></tr>
    <tr><td class="muted">Approved scope</td><td>${data.scope ? `version ${data.scope.version}, approved ${when(data.scope.approvedAt)} by ${escapeHtml(data.scope.approvedBy ?? '—')}, digest ${short(data.scope.digest)}` : 'none approved'}</td></tr>
    <tr><td class="muted">Generated</td><td>${when(data.generatedAt)} for ${escapeHtml(context.generatedBy)} by the CABC assessment service (${escapeHtml(context.base)})</td></tr>
  </table>
</header>

<div class="tiles">
  <div class="tile"><div class="label">Posture now</div><div class="value">${badge(data.posture.posture)}</div><div class="muted">since ${when(data.posture.updatedAt)} (#${data.posture.sequence})</div></div>
  <div class="tile"><div class="label">Certificate</div><div class="value">${certificate ? badge(certificate.status) : badge('unknown')}</div><div class="muted">${certificate ? `<code>${escapeHtml(certificate.id.slice(0, 8))}</code> · ${escapeHtml(certificate.reason ?? '')}` : 'no certificate'}</div></div>
  <div class="tile"><div class="label">Requirements</div><div class="value">${counts.compliant}/${data.requirements.length}</div><div class="muted">compliant at window end · ${counts.non_compliant} non-compliant</div></div>
  <div class="tile"><div class="label">Evidence</div><div class="value">${data.evidence.length}</div><div class="muted">verified envelopes received in the window</div></div>
</div>

<h2>Requirement results</h2>
<table><thead><tr><th>Requirement</th><th>Severity</th><th>At window end</th><th class="num">Pass</th><th class="num">Fail</th><th class="num">Other</th><th>Reason</th></tr></thead>
<tbody>${requirementRows(data.requirements) || '<tr><td colspan="7" class="muted">No approved scope: no requirements.</td></tr>'}</tbody></table>

<h2>Metrics against their thresholds</h2>
${
  charts.length === 0
    ? '<p class="muted">No threshold requirements.</p>'
    : charts
        .map(
          ({
            report,
            chart,
          }) => `<div class="chart-box"><h3>${escapeHtml(chart.threshold.selector.metric)} <span class="muted">(${escapeHtml(chart.threshold.selector.kind)}${chart.threshold.selector.dataset ? `, ${escapeHtml(chart.threshold.selector.dataset)}` : ''}${chart.threshold.selector.slice ? `, slice ${escapeHtml(chart.threshold.selector.slice)}` : ''}) — ${escapeHtml(report.requirement.id)}: ${escapeHtml(chart.threshold.operator)} ${chart.threshold.target}</span></h3>
${svgChart(chart.points, chart.threshold, data.window, { observed })}
<div class="muted">${chart.total} measurement(s)${chart.downsampled ? `, drawn from ${chart.points.length} points (first, lowest, highest and last of each time bucket)` : ''}; red points fail the threshold${observed.size > 0 ? ', orange rings mark evidence behind an anomaly observation' : ''}.</div></div>`,
        )
        .join('\n')
}

<h2>Status changes in the window</h2>
${
  changes.length === 0
    ? '<p class="muted">No requirement changed status in the window.</p>'
    : `<table><thead><tr><th>When</th><th>Requirement</th><th>Change</th><th>Reason</th></tr></thead><tbody>${changes
        .map(
          (change) =>
            `<tr><td>${when(change.at)}</td><td>${escapeHtml(change.requirement)}</td><td>${change.from ? badge(change.from) : '—'} → ${badge(change.to)}</td><td>${escapeHtml(change.reason)}</td></tr>`,
        )
        .join('')}</tbody></table>`
}

<h2>Anomaly observations (${data.observations.length})</h2>
${observationSection(data.observations)}

<h2>Certificate history</h2>
${data.certificates.note ? `<p class="muted">${escapeHtml(data.certificates.note)}</p>` : ''}
${
  data.certificates.certificates.length === 0
    ? '<p class="muted">No certificate.</p>'
    : data.certificates.certificates
        .map(
          (entry) => `<h3><code>${escapeHtml(entry.id)}</code> ${badge(entry.status)}</h3>
<div class="muted">scope version ${escapeHtml(entry.scopeVersion ?? '—')} · issued ${when(entry.issuedAt)} · expires ${when(entry.expiresAt)}${entry.revokedAt ? ` · revoked ${when(entry.revokedAt)}` : ''}</div>
${entry.history.length ? `<table><thead><tr><th>When</th><th>Transition</th><th>Reason</th></tr></thead><tbody>${entry.history.map((h) => `<tr><td>${when(h.at)}</td><td>${escapeHtml(h.from || '—')} → ${escapeHtml(h.to)}</td><td>${escapeHtml(h.reason)}</td></tr>`).join('')}</tbody></table>` : ''}`,
        )
        .join('\n')
}

<h2>Evidence received (${data.evidence.length})</h2>
<p class="muted">Each envelope is stored exactly as received; its SHA-256 is signed in the receipt and committed to the evidence ledger (index). Fetch it at ${escapeHtml(context.base)}/v1/toes/${escapeHtml(data.toe.id)}/evidence/&lt;id&gt;/envelope and check the digest.</p>
<table><thead><tr><th>#</th><th>Observed</th><th>Kind</th><th>Producer</th><th>Measurements</th><th>Envelope SHA-256</th><th>Ledger</th></tr></thead><tbody>
${data.evidence
  .map(
    (evidence) =>
      `<tr id="ev-${escapeHtml(evidence.id)}"><td class="num">${evidence.sequence}</td><td>${when(evidence.observedAt)}</td><td>${escapeHtml(evidence.kind)}</td><td>${escapeHtml(evidence.producer?.tool ?? '')}${evidence.producer?.pipelineRunId ? `<br><span class="muted">${escapeHtml(evidence.producer.pipelineRunId)}</span>` : ''}</td><td>${escapeHtml(
        evidence.measurements
          .slice(0, 4)
          .map((m) => `${m.name}=${String(m.value)}`)
          .join(', '),
      )}${evidence.measurements.length > 4 ? ` <span class="muted">+${evidence.measurements.length - 4}</span>` : ''}</td><td><code>${escapeHtml(evidence.envelopeSha256)}</code>${evidence.raw ? `<br><span class="muted">raw ${escapeHtml(evidence.raw.mediaType)}</span> <code>${escapeHtml(evidence.raw.digest.sha256)}</code>` : ''}</td><td class="num">${evidence.logIndex ?? '—'}</td></tr>`,
  )
  .join('\n')}
</tbody></table>

<h2>Audit trail</h2>
${
  data.audit.length === 0
    ? '<p class="muted">No recorded actions on this ToE in the window.</p>'
    : `<table><thead><tr><th>When</th><th>Who</th><th>Action</th><th>Comment</th></tr></thead><tbody>${data.audit
        .map(
          (event) =>
            `<tr><td>${when(event.at)}</td><td>${escapeHtml(event.actor)} <span class="muted">(${escapeHtml(event.role)})</span></td><td>${escapeHtml(event.action)} <span class="muted">${escapeHtml(event.entity)}</span></td><td>${escapeHtml(event.comment ?? '')}</td></tr>`,
        )
        .join('')}</tbody></table>`
}
<p class="muted">Verify: the service's keys are at ${escapeHtml(context.base)}/.well-known/jwks.json; ledger checkpoints and inclusion proofs at ${escapeHtml(context.base)}/v1/ledger/.</p>
</body></html>`;
}
