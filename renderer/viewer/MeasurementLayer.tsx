import { useId } from 'react';
import type { PixelCalibration, StudyPixels } from '../../app/common/contract/studies.ts';
import { distance, formatLength, type MeasurementShape, roiStats } from './measure.ts';
import { type Affine, applyAffine } from './view-state.ts';

interface Props {
  pixels: StudyPixels;
  matrix: Affine;
  width: number;
  height: number;
  shapes: readonly (MeasurementShape & { id: number | 'draft' })[];
}

const fmt = (v: number): string => (Math.abs(v) >= 100 || Number.isInteger(v) ? v.toFixed(0) : v.toFixed(1));

/** What a measurement says, as drawn beside it. */
export function measurementLabel(shape: MeasurementShape, pixels: StudyPixels, calibration: PixelCalibration | undefined): string[] {
  if (shape.kind === 'ruler') return [formatLength(distance(shape.a, shape.b, calibration))];
  const s = roiStats(pixels.values, pixels.width, pixels.height, { kind: shape.kind, a: shape.a, b: shape.b }, calibration);
  if (s.count === 0) return ['no pixel inside'];
  const area = s.areaMm2 !== undefined ? `${fmt(s.areaMm2)} mm²` : `${fmt(s.areaPx)} px²`;
  return [`${fmt(s.mean)} ± ${fmt(s.sd)}`, `${area} · n ${s.count}`];
}

/**
 * Rulers and ROIs over the image: drawn in image coordinates through the view transform (so they
 * follow zoom, pan, rotation and flips), labelled in screen space so the text stays upright.
 */
export function MeasurementLayer({ pixels, matrix, width, height, shapes }: Props) {
  const m = `matrix(${matrix.a} ${matrix.b} ${matrix.c} ${matrix.d} ${matrix.e} ${matrix.f})`;
  // One per viewport (two in the compare view), so each SVG refers to its own filter.
  const backing = `label-backing-${useId().replace(/[^\w-]/g, '')}`;
  return (
    <svg className="measurements" width={width} height={height} aria-hidden="true">
      <defs>
        {/* A dark box behind each label: legible over bright bone, over the heatmap and over its legend's text. */}
        <filter id={backing} x="-6%" y="-15%" width="112%" height="130%">
          <feFlood floodColor="#000" floodOpacity="0.75" />
          <feMerge>
            <feMergeNode />
            <feMergeNode in="SourceGraphic" />
          </feMerge>
        </filter>
      </defs>
      {shapes.map((shape) => {
        const lines = measurementLabel(shape, pixels, pixels.calibration);
        const x0 = Math.min(shape.a.x, shape.b.x);
        const y0 = Math.min(shape.a.y, shape.b.y);
        const w = Math.abs(shape.b.x - shape.a.x);
        const h = Math.abs(shape.b.y - shape.a.y);
        const anchor = applyAffine(matrix, shape.b.x, shape.b.y);
        const testId = shape.id === 'draft' ? 'measurement-draft' : 'measurement';
        return (
          <g
            key={shape.id}
            data-testid={testId}
            data-kind={shape.kind}
            data-label={lines.join(' | ')}
            data-a={`${shape.a.x},${shape.a.y}`}
            data-b={`${shape.b.x},${shape.b.y}`}
          >
            {shape.kind === 'ruler' && (
              <line transform={m} x1={shape.a.x} y1={shape.a.y} x2={shape.b.x} y2={shape.b.y} vectorEffect="non-scaling-stroke" />
            )}
            {shape.kind === 'rect' && <rect transform={m} x={x0} y={y0} width={w} height={h} vectorEffect="non-scaling-stroke" />}
            {shape.kind === 'ellipse' && (
              <ellipse transform={m} cx={x0 + w / 2} cy={y0 + h / 2} rx={w / 2} ry={h / 2} vectorEffect="non-scaling-stroke" />
            )}
            <text x={anchor.x + 8} y={anchor.y + 4} filter={`url(#${backing})`}>
              {lines.map((line, i) => (
                <tspan key={line} x={anchor.x + 8} dy={i === 0 ? 0 : 15}>
                  {line}
                </tspan>
              ))}
            </text>
          </g>
        );
      })}
    </svg>
  );
}
