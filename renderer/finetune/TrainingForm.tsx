import type { FinetuneMode } from '../../app/common/contract/finetune.ts';
import { ScratchChoice } from './ScratchChoice.tsx';
import { Busy } from '../shell/Busy.tsx';
import { ErrorText } from '../shell/ErrorText.tsx';
import { type FinetuneForm, hasData, learningRateOf } from './finetune-state.ts';
import type { Finetune } from './use-finetune.ts';

const MODES: { value: FinetuneMode; title: string; text: string }[] = [
  { value: 'head', title: 'Head only', text: 'A linear probe on cached pooled features: minutes on a laptop CPU. Start here.' },
  {
    value: 'last-block',
    title: 'Last dense block',
    text: 'Trains the last dense block, final norm and head on cached activations: slower, more flexible.',
  },
  { value: 'full', title: 'Whole network', text: 'Every layer, every step through the full network: hours on a CPU; for the patient.' },
];

/** Step 2: what to train and how long, the learning-rate range test, and start. */
export function TrainingForm({ ft, parentName }: { ft: Finetune; parentName: string | undefined }) {
  const { form, lrBusy, starting, startError, live } = ft.state;
  const set = (change: Partial<FinetuneForm>): void => ft.dispatch({ type: 'form', change });
  const running = live?.state === 'running';
  const lr = learningRateOf(form);
  // From scratch every layer learns: the form shows "Whole network" chosen, not the mode kept for adapting.
  const mode = form.scratch ? 'full' : form.mode;
  return (
    <>
      <h3>2 · Training</h3>
      <div className="stack">
        <fieldset className="mode-choice">
          <legend className="sr-only">Mode</legend>
          {MODES.map((m) => (
            <label key={m.value} className={`mode-option${mode === m.value ? ' selected' : ''}`}>
              <input
                type="radio"
                name="ft-mode"
                value={m.value}
                checked={mode === m.value}
                disabled={form.scratch}
                onChange={() => set({ mode: m.value })}
              />
              <span>
                <strong>{m.title}</strong> <span className="muted mono small">{m.value}</span>
                <br />
                <span className="muted small">{m.text}</span>
              </span>
            </label>
          ))}
        </fieldset>
        <ScratchChoice form={form} set={set} />
        <div className="inline-fields">
          <label>
            Epochs{' '}
            <input
              type="number"
              min={1}
              max={1000}
              value={form.epochs}
              onChange={(e) => set({ epochs: Math.max(1, Math.round(Number(e.target.value))) })}
            />
          </label>
          <label>
            Batch{' '}
            <input
              type="number"
              min={1}
              max={512}
              value={form.batchSize}
              onChange={(e) => set({ batchSize: Math.max(1, Math.round(Number(e.target.value))) })}
            />
          </label>
          <label>
            Learning rate{' '}
            <input
              value={form.learningRate}
              onChange={(e) => set({ learningRate: e.target.value })}
              className={lr > 0 ? '' : 'invalid'}
              data-testid="ft-lr"
            />
          </label>
        </div>
        <div className="inline-fields">
          <label className="check">
            <input type="checkbox" checked={form.augment} onChange={(e) => set({ augment: e.target.checked })} /> Augmentation (small
            rotation, scale, shift, brightness; never a left-right flip)
          </label>
        </div>
        <div className="inline-fields">
          <label>
            Target sensitivity{' '}
            <input
              value={form.targetSensitivity}
              onChange={(e) => set({ targetSensitivity: e.target.value })}
              placeholder="Youden's J"
              title="Choose thresholds for this sensitivity (0–1); empty: Youden's J"
            />
          </label>
          <label className="grow">
            New model name{' '}
            <input
              value={form.name}
              onChange={(e) => set({ name: e.target.value })}
              placeholder={`${parentName ?? 'parent'} (fine-tuned)`}
            />
          </label>
        </div>
        <div className="button-row">
          <button
            type="button"
            className="secondary"
            disabled={!hasData(form) || lrBusy || running}
            onClick={() => void ft.findLr()}
            data-testid="ft-findlr"
            title="Learning-rate range test: a short run with an exponentially growing rate"
          >
            Find learning rate
          </button>
          <button
            type="button"
            className="primary"
            disabled={!hasData(form) || starting || running || !(lr > 0)}
            onClick={() => void ft.start()}
            data-testid="ft-start"
          >
            Start training
          </button>
        </div>
        {lrBusy && <Busy>Learning-rate range test running (it caches backbone features first)…</Busy>}
        {startError && (
          <p className="result-error">
            <ErrorText error={startError} />
          </p>
        )}
      </div>
    </>
  );
}
