import { Busy } from '../shell/Busy.tsx';
import { ErrorText } from '../shell/ErrorText.tsx';
import { PathField } from '../shell/PathField.tsx';
import { Segmented } from '../shell/Segmented.tsx';
import { type FinetuneForm, hasData } from './finetune-state.ts';
import type { Finetune } from './use-finetune.ts';

/** Step 1: where the labelled images are, which labels, and how to split them; checked before anything trains. */
export function DataForm({ ft }: { ft: Finetune }) {
  const { form, inspecting, inspectError } = ft.state;
  const set = (change: Partial<FinetuneForm>): void => ft.dispatch({ type: 'form', change });
  return (
    <>
      <h3>1 · Data</h3>
      <Segmented
        label="Dataset layout"
        value={form.kind}
        options={[
          { value: 'csv', label: 'CSV + images' },
          { value: 'folders', label: 'Folder per class' },
        ]}
        onChange={(kind) => set({ kind })}
      />
      <form
        className="stack"
        onSubmit={(e) => {
          e.preventDefault();
          if (hasData(form)) void ft.inspect();
        }}
      >
        {form.kind === 'csv' ? (
          <>
            <PathField
              label="Labels CSV"
              kind="files"
              value={form.csv}
              onChange={(csv) => set({ csv })}
              placeholder="/data/site/labels.csv"
              testId="ft-csv"
              hint="Image path, patient id, one 0/1 column per label — or NIH's “Finding Labels” with | separators."
            />
            <PathField
              label="Images folder (optional)"
              kind="folder"
              value={form.images}
              onChange={(images) => set({ images })}
              placeholder="default: the CSV's folder"
              testId="ft-images"
            />
          </>
        ) : (
          <PathField
            label="Dataset folder"
            kind="folder"
            value={form.folder}
            onChange={(folder) => set({ folder })}
            placeholder="/data/site/by-class"
            testId="ft-folder"
            hint="One sub-folder per class (e.g. Effusion/, No_Finding/); DICOM, PNG or JPEG."
          />
        )}
        <div className="field">
          <label htmlFor="ft-labels">Labels (optional, comma-separated)</label>
          <input id="ft-labels" value={form.labels} onChange={(e) => set({ labels: e.target.value })} placeholder="every label found" />
        </div>
        <div className="inline-fields">
          <label>
            Validation{' '}
            <input
              type="number"
              min={0.05}
              max={0.5}
              step={0.05}
              value={form.valFraction}
              onChange={(e) => set({ valFraction: Number(e.target.value) })}
            />
          </label>
          <label>
            Test{' '}
            <input
              type="number"
              min={0}
              max={0.5}
              step={0.05}
              value={form.testFraction}
              onChange={(e) => set({ testFraction: Number(e.target.value) })}
            />
          </label>
          <label>
            Seed{' '}
            <input
              type="number"
              min={0}
              step={1}
              value={form.seed}
              onChange={(e) => set({ seed: Math.max(0, Math.round(Number(e.target.value))) })}
            />
          </label>
        </div>
        <button className="primary" type="submit" disabled={!hasData(form) || inspecting} data-testid="ft-inspect">
          Check data and split
        </button>
        {inspecting && <Busy>Reading every file…</Busy>}
        {inspectError && (
          <p className="result-error">
            <ErrorText error={inspectError} />
          </p>
        )}
      </form>
    </>
  );
}
