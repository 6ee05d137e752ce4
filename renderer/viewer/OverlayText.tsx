import type { ModelInfo } from '../../app/common/contract/classify.ts';
import type { StudyPixels, StudySummary } from '../../app/common/contract/studies.ts';
import { precisionOf } from '../../app/common/model-precision.ts';
import { human } from '../shell/format.ts';
import { formatAge, formatDate } from '../worklist/worklist-model.ts';
import { calibrationNote } from './measure.ts';
import type { ViewState } from './view-state.ts';

interface Props {
  study: StudySummary;
  pixels: StudyPixels;
  view: ViewState;
  /** Screen pixels per image pixel × devicePixelRatio, as a percentage shown. */
  zoomPercent: number;
  readout: { x: number; y: number; value: number } | undefined;
  frame: { index: number; count: number } | undefined;
  heatmapLabel: string | undefined;
  model: ModelInfo | undefined;
  /** In a comparison: which side this is. */
  role: 'current' | 'prior' | undefined;
}

/** The four corners a reader expects: who and when, window and zoom, the pixel under the cursor, and what made the heatmap. */
export function OverlayText({ study, pixels, view, zoomPercent, readout, frame, heatmapLabel, model, role }: Props) {
  const presetLabel = view.preset !== null ? pixels.windows[view.preset]?.label : 'Manual';
  const sexAge = [study.patientSex, formatAge(study.patientAge)].filter(Boolean).join(' · ');
  return (
    <>
      <div className="overlay-text top-left" data-testid="overlay-patient">
        {role && <div className={`overlay-role ${role}`}>{role === 'prior' ? 'PRIOR' : 'CURRENT'}</div>}
        <div className="overlay-strong">{study.patientName ?? study.name}</div>
        {(study.patientId || sexAge) && <div>{[study.patientId && `ID ${study.patientId}`, sexAge].filter(Boolean).join(' · ')}</div>}
        <div>{[formatDate(study.studyDate), study.modality, study.viewPosition].filter(Boolean).join(' · ')}</div>
        {study.accessionNumber && <div className="overlay-dim">Acc {study.accessionNumber}</div>}
      </div>
      <div className="overlay-text top-right" data-testid="window-readout">
        <div>
          W {Math.round(view.width)} · L {Math.round(view.center)}
        </div>
        <div className="overlay-dim">{presetLabel}</div>
        <div>
          Zoom {Math.round(zoomPercent)}%{view.rotation ? ` · ${view.rotation}°` : ''}
          {view.flipH ? ' · H' : ''}
          {view.flipV ? ' · V' : ''}
          {view.invert ? ' · inverted' : ''}
        </div>
        {frame && frame.count > 1 && (
          <div data-testid="frame-readout">
            Frame {frame.index + 1} / {frame.count}
          </div>
        )}
        {frame && frame.count > 1 && frame.index > 0 && <div className="overlay-dim">scores and heatmaps: frame 1</div>}
      </div>
      <div className="overlay-text bottom-left" data-testid="pixel-readout">
        {readout ? (
          <>
            <div>
              x {readout.x} · y {readout.y}
            </div>
            <div>
              {Number.isInteger(readout.value) ? readout.value : readout.value.toFixed(2)}{' '}
              <span className="overlay-dim">{pixels.unit}</span>
            </div>
          </>
        ) : (
          <div className="overlay-dim">
            {pixels.width} × {pixels.height}
          </div>
        )}
        <div className="overlay-dim" data-testid="calibration">
          {calibrationNote(pixels.calibration)}
        </div>
      </div>
      <div className="overlay-text bottom-right">
        {heatmapLabel && <div className="overlay-heat">Heatmap: {human(heatmapLabel)}</div>}
        {pixels.note && <div className="overlay-dim">{pixels.note}</div>}
        {model && (
          <div className="overlay-dim" data-testid="overlay-model">
            {model.id} · {model.sha256.slice(0, 8)} · {model.backend} · {precisionOf(model)}
          </div>
        )}
        <div className="overlay-dim">Not for diagnostic use</div>
      </div>
    </>
  );
}
