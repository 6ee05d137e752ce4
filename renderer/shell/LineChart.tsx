import { useEffect, useRef, useState } from 'react';

/**
 * A small SVG line chart (no chart library): linear or log-10 x axis, several series, vertical
 * markers (e.g. the suggested learning rate) and horizontal reference lines (e.g. AUROC 0.5).
 */
export interface ChartPoint {
  x: number;
  y: number;
}
export interface ChartSeries {
  name: string;
  color: string;
  points: ChartPoint[];
  dashed?: boolean;
  /** Draw each point as a dot (for sparse series such as one value per epoch). */
  dots?: boolean;
  /** Thin and translucent (e.g. noisy per-step loss behind per-epoch means). */
  faint?: boolean;
}
export interface ChartMarker {
  x: number;
  label: string;
  color?: string;
}

interface Props {
  series: ChartSeries[];
  xLabel: string;
  yLabel: string;
  logX?: boolean;
  xDomain?: [number, number];
  yDomain?: [number, number];
  markers?: ChartMarker[];
  hLines?: { y: number; label: string }[];
  ariaLabel: string;
  testId?: string;
  /** Shown in the plot area while there is nothing to draw. */
  emptyText?: string;
  formatX?: (x: number) => string;
}

const DEFAULT_WIDTH = 560;
const H = 210;
const M = { left: 48, right: 14, top: 12, bottom: 32 };

/** About `count` round-numbered ticks covering [min, max]. */
export function niceTicks(min: number, max: number, count = 5): number[] {
  if (!(max > min)) return [min];
  const raw = (max - min) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const ticks: number[] = [];
  for (let v = Math.ceil(min / step - 1e-9) * step; v <= max + step * 1e-9; v += step) ticks.push(Math.abs(v) < step * 1e-9 ? 0 : v);
  return ticks;
}

const compact = (v: number): string => {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e4 || a < 1e-3) return v.toExponential(0).replace('e+', 'e');
  return String(Number(v.toPrecision(3)));
};

export function LineChart(p: Props) {
  // Drawn at the size it is shown (the viewBox follows the element's width), so text stays legible.
  const box = useRef<HTMLElement>(null);
  const [W, setWidth] = useState(DEFAULT_WIDTH);
  useEffect(() => {
    const el = box.current;
    if (!el || typeof ResizeObserver === 'undefined') return;
    const observer = new ResizeObserver(() => setWidth(Math.max(240, Math.round(el.clientWidth - 16))));
    observer.observe(el);
    return () => observer.disconnect();
  }, []);
  const all = p.series.flatMap((s) => s.points).filter((pt) => Number.isFinite(pt.x) && Number.isFinite(pt.y) && (!p.logX || pt.x > 0));
  const tx = (x: number): number => (p.logX ? Math.log10(x) : x);
  let [x0, x1] = p.xDomain
    ? [tx(p.xDomain[0]), tx(p.xDomain[1])]
    : [Math.min(...all.map((pt) => tx(pt.x))), Math.max(...all.map((pt) => tx(pt.x)))];
  let [y0, y1] = p.yDomain ?? [Math.min(...all.map((pt) => pt.y)), Math.max(...all.map((pt) => pt.y))];
  if (!Number.isFinite(x0) || !Number.isFinite(x1)) [x0, x1] = [0, 1];
  if (!Number.isFinite(y0) || !Number.isFinite(y1)) [y0, y1] = [0, 1];
  if (x1 - x0 < 1e-12) [x0, x1] = [x0 - 0.5, x1 + 0.5];
  if (y1 - y0 < 1e-12) [y0, y1] = [y0 - 0.5, y1 + 0.5];
  if (!p.yDomain) {
    const pad = (y1 - y0) * 0.06;
    [y0, y1] = [y0 - pad, y1 + pad];
  }
  const px = (x: number): number => M.left + ((tx(x) - x0) / (x1 - x0)) * (W - M.left - M.right);
  const py = (y: number): number => H - M.bottom - ((y - y0) / (y1 - y0)) * (H - M.top - M.bottom);
  const xTicks = p.logX ? niceLogTicks(x0, x1) : niceTicks(x0, x1, 6);
  const yTicks = niceTicks(y0, y1, 4);
  const fx = p.formatX ?? compact;

  return (
    <figure className="chart" data-testid={p.testId} ref={box}>
      <svg viewBox={`0 0 ${W} ${H}`} width={W} height={H} role="img" aria-label={p.ariaLabel}>
        <rect x={M.left} y={M.top} width={W - M.left - M.right} height={H - M.top - M.bottom} className="chart-plot" />
        {yTicks.map((t) => (
          <g key={`y${t}`}>
            <line x1={M.left} x2={W - M.right} y1={py(t)} y2={py(t)} className="chart-grid" />
            <text x={M.left - 6} y={py(t) + 3.5} textAnchor="end" className="chart-tick">
              {compact(t)}
            </text>
          </g>
        ))}
        {xTicks.map((t) => {
          const x = p.logX ? 10 ** t : t;
          return (
            <g key={`x${t}`}>
              <line x1={px(x)} x2={px(x)} y1={M.top} y2={H - M.bottom} className="chart-grid" />
              <text x={px(x)} y={H - M.bottom + 14} textAnchor="middle" className="chart-tick">
                {fx(x)}
              </text>
            </g>
          );
        })}
        <text x={(M.left + W - M.right) / 2} y={H - 3} textAnchor="middle" className="chart-axis">
          {p.xLabel}
        </text>
        <text
          x={11}
          y={(M.top + H - M.bottom) / 2}
          textAnchor="middle"
          className="chart-axis"
          transform={`rotate(-90 11 ${(M.top + H - M.bottom) / 2})`}
        >
          {p.yLabel}
        </text>
        {p.hLines
          ?.filter((h) => h.y >= y0 && h.y <= y1)
          .map((h) => (
            <g key={`h${h.y}`}>
              <line x1={M.left} x2={W - M.right} y1={py(h.y)} y2={py(h.y)} className="chart-ref" />
              <text x={W - M.right - 4} y={py(h.y) - 4} textAnchor="end" className="chart-ref-label">
                {h.label}
              </text>
            </g>
          ))}
        {p.series.map((s) => {
          const pts = s.points.filter((pt) => Number.isFinite(pt.y) && (!p.logX || pt.x > 0));
          if (pts.length === 0) return null;
          const d = pts.map((pt, i) => `${i === 0 ? 'M' : 'L'}${px(pt.x).toFixed(1)},${py(pt.y).toFixed(1)}`).join('');
          return (
            <g key={s.name} data-series={s.name}>
              <path
                d={d}
                fill="none"
                stroke={s.color}
                strokeWidth={s.faint ? 1 : 2}
                strokeOpacity={s.faint ? 0.45 : 1}
                strokeDasharray={s.dashed ? '5 4' : undefined}
                strokeLinejoin="round"
              />
              {(s.dots || pts.length === 1) &&
                pts.map((pt) => <circle key={`${pt.x},${pt.y}`} cx={px(pt.x)} cy={py(pt.y)} r={3} fill={s.color} />)}
            </g>
          );
        })}
        {p.markers
          ?.filter((m) => tx(m.x) >= x0 && tx(m.x) <= x1)
          .map((m) => (
            <g key={`m${m.label}`} data-testid="chart-marker">
              <line
                x1={px(m.x)}
                x2={px(m.x)}
                y1={M.top}
                y2={H - M.bottom}
                stroke={m.color ?? 'var(--flag)'}
                strokeWidth={1.5}
                strokeDasharray="3 3"
              />
              <text
                x={px(m.x) + (px(m.x) > W * 0.7 ? -5 : 5)}
                y={M.top + 12}
                textAnchor={px(m.x) > W * 0.7 ? 'end' : 'start'}
                className="chart-marker-label"
                fill={m.color ?? 'var(--flag)'}
              >
                {m.label}
              </text>
            </g>
          ))}
        {all.length === 0 && p.emptyText && (
          <text x={(M.left + W - M.right) / 2} y={(M.top + H - M.bottom) / 2} textAnchor="middle" className="chart-empty">
            {p.emptyText}
          </text>
        )}
      </svg>
      <figcaption className="chart-legend">
        {p.series.map((s) => (
          <span key={s.name}>
            <i style={{ background: s.color, opacity: s.faint ? 0.5 : 1 }} />
            {s.name}
          </span>
        ))}
      </figcaption>
    </figure>
  );
}

/** Whole decades inside a log10 range (at least two ticks). */
function niceLogTicks(l0: number, l1: number): number[] {
  const ticks: number[] = [];
  for (let k = Math.ceil(l0 - 1e-9); k <= Math.floor(l1 + 1e-9); k += 1) ticks.push(k);
  return ticks.length >= 2 ? ticks : [l0, l1];
}
