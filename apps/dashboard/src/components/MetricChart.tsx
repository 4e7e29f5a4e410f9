import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface ChartPoint {
  at: string;
  value: number;
  evidenceId: string;
}

export interface ChartThreshold {
  requirementId: string;
  operator: string;
  target: number;
}

const passes = (operator: string, target: number, value: number) =>
  operator === '>='
    ? value >= target
    : operator === '>'
      ? value > target
      : operator === '<='
        ? value <= target
        : operator === '<'
          ? value < target
          : operator === '=='
            ? value === target
            : operator === '!='
              ? value !== target
              : true;

/**
 * A metric over time (uPlot, canvas: fast with thousands of points) with each threshold as a dashed red line and the
 * failing side shaded; failing points are red, points behind an open anomaly observation are ringed in orange.
 * Clicking a point opens the evidence it came from.
 */
export function MetricChart({
  points,
  thresholds,
  height = 240,
  onPoint,
  label,
  highlighted,
}: {
  points: ChartPoint[];
  thresholds: ChartThreshold[];
  /** Evidence ids whose points to ring: those behind open observations. */
  highlighted?: ReadonlySet<string> | undefined;
  height?: number;
  onPoint?: (point: ChartPoint) => void;
  label: string;
}) {
  const container = useRef<HTMLDivElement>(null);
  const clickRef = useRef(onPoint);
  clickRef.current = onPoint;

  useEffect(() => {
    const element = container.current;
    if (!element) return;
    const xs = points.map((point) => Date.parse(point.at) / 1000);
    const ys = points.map((point) => point.value);
    const failing = points.map((point) =>
      thresholds.some((line) => !passes(line.operator, line.target, point.value)) ? point.value : null,
    );
    const observed = points.map((point) => (highlighted?.has(point.evidenceId) ? point.value : null));
    const targets = thresholds.map((line) => line.target);
    const style = getComputedStyle(document.documentElement);
    const colour = (name: string, fallback: string) => style.getPropertyValue(name).trim() || fallback;
    const accent = colour('--accent', '#0969da');
    const bad = colour('--bad', '#cf222e');
    const grid = colour('--grid', '#eaeef2');
    const warn = colour('--warn-strong', '#bc4c00');
    const text = colour('--text-muted', '#57606a');

    const options: uPlot.Options = {
      width: Math.max(320, element.clientWidth),
      height,
      legend: { show: false },
      cursor: { points: { size: 9 }, drag: { x: true, y: false } },
      scales: {
        x: { time: true },
        y: {
          range: (_u, min, max) => {
            const low = Math.min(min ?? 0, ...targets);
            const high = Math.max(max ?? 1, ...targets);
            const pad = (high - low || 1) * 0.1;
            return [low - pad, high + pad];
          },
        },
      },
      axes: [
        { stroke: text, grid: { stroke: grid }, ticks: { stroke: grid } },
        { stroke: text, grid: { stroke: grid }, ticks: { stroke: grid }, size: 56 },
      ],
      series: [
        {},
        { label, stroke: accent, width: 1.6, points: { show: points.length <= 300, size: 5, fill: accent } },
        {
          label: 'fails threshold',
          stroke: bad,
          paths: () => null,
          points: { show: true, size: 7, fill: bad, stroke: bad },
        },
        {
          label: 'anomaly observation',
          stroke: warn,
          paths: () => null,
          points: { show: true, size: 13, width: 2.5, fill: 'transparent', stroke: warn },
        },
      ],
      hooks: {
        draw: [
          (u) => {
            const ctx = u.ctx;
            const { left, top, width, height: plotHeight } = u.bbox;
            for (const line of thresholds) {
              const y = u.valToPos(line.target, 'y', true);
              ctx.save();
              ctx.fillStyle = 'rgba(207, 34, 46, 0.07)';
              const failAbove = line.operator === '<' || line.operator === '<=';
              if (failAbove) ctx.fillRect(left, top, width, Math.max(0, y - top));
              else ctx.fillRect(left, y, width, Math.max(0, top + plotHeight - y));
              ctx.strokeStyle = bad;
              ctx.lineWidth = 1.5 * devicePixelRatio;
              ctx.setLineDash([6 * devicePixelRatio, 4 * devicePixelRatio]);
              ctx.beginPath();
              ctx.moveTo(left, y);
              ctx.lineTo(left + width, y);
              ctx.stroke();
              ctx.setLineDash([]);
              ctx.fillStyle = bad;
              ctx.font = `${11 * devicePixelRatio}px system-ui, sans-serif`;
              ctx.textAlign = 'right';
              ctx.fillText(
                `${line.requirementId} ${line.operator} ${line.target}`,
                left + width - 4,
                y - 5 * devicePixelRatio,
              );
              ctx.restore();
            }
          },
        ],
      },
    };
    const plot = new uPlot(options, [xs, ys, failing, observed] as uPlot.AlignedData, element);
    const onClick = () => {
      const index = plot.cursor.idx;
      if (index !== null && index !== undefined && points[index]) clickRef.current?.(points[index]!);
    };
    plot.over.addEventListener('click', onClick);
    plot.over.style.cursor = 'pointer';
    const observer = new ResizeObserver(() => plot.setSize({ width: Math.max(320, element.clientWidth), height }));
    observer.observe(element);
    return () => {
      observer.disconnect();
      plot.over.removeEventListener('click', onClick);
      plot.destroy();
    };
  }, [points, thresholds, height, label, highlighted]);

  return (
    <div
      ref={container}
      className="metric-chart"
      data-testid="metric-chart"
      data-points={points.length}
      data-highlighted={points.filter((point) => highlighted?.has(point.evidenceId)).length}
      aria-label={`${label} chart`}
    />
  );
}
