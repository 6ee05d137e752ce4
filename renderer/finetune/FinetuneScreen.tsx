import type { ApiResponse } from '../../app/common/contract/api.ts';
import { Dialog } from '../shell/Dialog.tsx';
import { DataForm } from './DataForm.tsx';
import { DatasetSummaryView } from './DatasetSummaryView.tsx';
import type { FinetuneSession } from './finetune-session.ts';
import { LrRangeView } from './LrRangeView.tsx';
import { TrainingForm } from './TrainingForm.tsx';
import { TrainingView } from './TrainingView.tsx';
import { useFinetune } from './use-finetune.ts';

type About = ApiResponse<'app.about'>;

/**
 * Fine-tune: choose labelled data, see the split and the per-file problems before anything trains,
 * optionally run the learning-rate range test, train with live loss and AUROC curves, stop (the best
 * epoch is kept), compare the new model with its parent, and activate it. State: finetune-state.ts.
 */
export function FinetuneScreen({
  about,
  session,
  onSession,
  onActivated,
  onClose,
}: {
  about: About | undefined;
  /** The job this screen last started, kept by the app so closing the screen does not lose it. */
  session: FinetuneSession | undefined;
  onSession(session: FinetuneSession | undefined): void;
  onActivated(): void;
  onClose(): void;
}) {
  const ft = useFinetune(session, onSession, about);
  const { summary, lr, lrError, live } = ft.state;
  const parent = about?.activeModel;
  const parentDemo = (parent?.demo ?? false) || ft.fromDemo(parent?.id);
  return (
    <Dialog title="Fine-tune" onClose={onClose} full testId="finetune-screen">
      <p className="notice-box small">
        Fine-tuning adapts the active model (<strong>{parent?.name ?? '…'}</strong>) to your own labelled images and installs the result as
        a new model; the parent stays as it is.
        {parentDemo && (
          <>
            {' '}
            {parent?.demo ? 'It is' : 'It descends from'} the <strong>untrained demo network</strong>: you can try every step here, but its
            metrics — and the new model's — say nothing clinical.
          </>
        )}{' '}
        Validation on a few dozen images gives noisy numbers; none of them make DenseRay a medical device.
      </p>
      <div className="screen-grid finetune-grid">
        <section className="pane">
          <DataForm ft={ft} />
          <TrainingForm ft={ft} parentName={parent?.name} />
        </section>
        <section className="pane wide-pane">
          {summary && <DatasetSummaryView summary={summary} />}
          {(lr || lrError) && (
            <LrRangeView lr={lr} error={lrError} onUse={(rate) => ft.dispatch({ type: 'form', change: { learningRate: rate } })} />
          )}
          {live && (
            <TrainingView
              live={live}
              fromDemo={ft.fromDemo}
              onStop={() => void ft.stop()}
              onResume={() => void ft.resume()}
              onActivated={onActivated}
            />
          )}
          {!summary && !live && !lr && !lrError && (
            <div className="empty-state">
              <h1>Adapt the model to your images</h1>
              <p className="muted">
                Choose a labelled dataset and check it first: DenseRay reads every file, reports the ones it cannot use, and shows the
                patient-level train / validation / test split before anything trains.
              </p>
            </div>
          )}
        </section>
      </div>
    </Dialog>
  );
}
