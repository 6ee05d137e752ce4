import type { ApiResponse } from '../../app/common/contract/api.ts';
import type { ModelInfo } from '../../app/common/contract/classify.ts';
import { Dialog } from './Dialog.tsx';

export function AboutDialog({
  about,
  model,
  onClose,
}: {
  about: ApiResponse<'app.about'> | undefined;
  model: ModelInfo | undefined;
  onClose(): void;
}) {
  return (
    <Dialog title="About DenseRay" onClose={onClose} testId="about">
      <p>
        <strong>DenseRay {about?.version}</strong> — chest X-ray triage with DenseNet classifiers and class-activation heatmaps, entirely on
        this computer.
      </p>
      <p className="notice-box">{about?.notAMedicalDevice}</p>
      <dl className="facts">
        <dt>Model</dt>
        <dd>
          {model?.name ?? about?.activeModel.name} ({model?.id ?? about?.activeModel.id})
        </dd>
        {model && (
          <>
            <dt>Architecture</dt>
            <dd>
              {model.arch}, version {model.version}
            </dd>
          </>
        )}
        <dt>Weights sha256</dt>
        <dd className="mono small">{model?.sha256 ?? about?.activeModel.sha256}</dd>
        <dt>Source</dt>
        <dd>{about?.activeModel.source}</dd>
        <dt>Backend</dt>
        <dd>{model?.backendDetail ?? 'not started yet'}</dd>
        <dt>Data folder</dt>
        <dd className="mono small">{about?.dataDir}</dd>
      </dl>
      {(model?.demo ?? about?.activeModel.demo) && (
        <p className="warning">The active model is the untrained demo: its outputs are random and mean nothing.</p>
      )}
    </Dialog>
  );
}
