import { useState } from 'react';
import type { DatasetSummary, SplitPart } from '../../app/common/contract/finetune.ts';
import { human } from '../shell/format.ts';

const PROBLEM_TEXT: Record<string, string> = {
  missing: 'file missing',
  unreadable: 'unreadable',
  'unsupported-format': 'not DICOM/PNG/JPEG',
  'unknown-label': 'unknown label',
  'no-label': 'no label',
  'bad-row': 'malformed row',
  duplicate: 'duplicate',
  'split-unknown': 'unknown split',
};
const SHOWN_PROBLEMS = 40;

/** What `finetune.inspect` found: sizes, patients, positives per label and split, and every file it cannot use. */
export function DatasetSummaryView({ summary }: { summary: DatasetSummary }) {
  const [allProblems, setAllProblems] = useState(false);
  const parts: [string, SplitPart][] = [
    ['Train', summary.split.train],
    ['Validation', summary.split.val],
    ['Test', summary.split.test],
  ];
  const problems = allProblems ? summary.problems : summary.problems.slice(0, SHOWN_PROBLEMS);
  const byCode = new Map<string, number>();
  for (const p of summary.problems) byCode.set(p.code, (byCode.get(p.code) ?? 0) + 1);
  const thinVal = summary.labels.filter(
    (l) => (summary.split.val.positives[l] ?? 0) === 0 || (summary.split.val.positives[l] ?? 0) === summary.split.val.images,
  );

  return (
    <section className="panel-block" data-testid="ft-summary">
      <h3>
        Dataset{' '}
        <span className="muted small mono">
          {summary.format} · fingerprint {summary.fingerprint.slice(0, 10)}
        </span>
      </h3>
      <p className="small">
        <strong data-testid="ft-summary-images">{summary.images}</strong> usable images from <strong>{summary.patients}</strong>{' '}
        {summary.patientIds === 'column' ? 'patients' : 'images treated as separate patients'}, {summary.labels.length} label
        {summary.labels.length === 1 ? '' : 's'}. Split{' '}
        {summary.split.method === 'file' ? 'as given by the data' : 'by patient (no patient in two splits), stratified where possible'}.
      </p>
      {summary.patientIds === 'per-image' && (
        <p className="warning small">
          ⚠ No patient id column: images of one patient may land in both training and validation, which inflates the metrics.
        </p>
      )}
      <div className="table-scroll">
        <table className="data-table split-table" data-testid="ft-split">
          <thead>
            <tr>
              <th>Split</th>
              <th className="num">Images</th>
              <th className="num">Patients</th>
              {summary.labels.map((l) => (
                <th key={l} className="num" title={`Positives for ${human(l)} (negatives = images − positives)`}>
                  {human(l)}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {parts.map(([name, part]) => (
              <tr key={name} data-testid={`ft-split-${name.toLowerCase()}`}>
                <td>{name}</td>
                <td className="num">{part.images}</td>
                <td className="num">{part.patients}</td>
                {summary.labels.map((l) => {
                  const pos = part.positives[l] ?? 0;
                  return (
                    <td key={l} className="num">
                      {pos}
                      <span className="muted"> / {part.images - pos}</span>
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <p className="muted small">Label cells: positives / negatives.</p>
      {thinVal.length > 0 && (
        <p className="warning small">
          ⚠ The validation split has no{' '}
          {thinVal.length === summary.labels.length
            ? 'variation for any label'
            : `positives or no negatives for ${thinVal.map(human).join(', ')}`}
          : AUROC is undefined there and early stopping has little to go on. Add data or raise the validation fraction.
        </p>
      )}
      {summary.problems.length > 0 ? (
        <details className="problems" open={summary.problems.length <= 12} data-testid="ft-problems">
          <summary>
            <span className="text-danger">
              {summary.problems.length} file{summary.problems.length === 1 ? '' : 's'} left out
            </span>{' '}
            <span className="muted small">({[...byCode].map(([c, n]) => `${n} ${PROBLEM_TEXT[c] ?? c}`).join(', ')})</span>
          </summary>
          <ul className="problem-list">
            {problems.map((p) => (
              <li key={`${p.file}|${p.code}|${p.message}`} data-code={p.code}>
                <span className="badge error">{PROBLEM_TEXT[p.code] ?? p.code}</span> <span className="mono small">{p.file}</span>{' '}
                <span className="muted small">{p.message}</span>
              </li>
            ))}
          </ul>
          {summary.problems.length > SHOWN_PROBLEMS && !allProblems && (
            <button type="button" className="link" onClick={() => setAllProblems(true)}>
              Show all {summary.problems.length}
            </button>
          )}
        </details>
      ) : (
        <p className="ok-text small">Every listed file is usable.</p>
      )}
    </section>
  );
}
