import type { ApiResponse } from '../../app/common/contract/api.ts';
import type { ModelInfo } from '../../app/common/contract/classify.ts';
import { precisionOf } from '../../app/common/model-precision.ts';

type About = ApiResponse<'app.about'>;

/**
 * Which model and weights produce the numbers on screen, always visible: name, version, weights
 * sha256, backend and precision, and what the engine is doing (the same words as the status bar).
 */
export function ModelBar({
  about,
  model,
  scoring,
  onModels,
}: {
  about: About | undefined;
  model: ModelInfo | undefined;
  scoring: boolean;
  onModels(): void;
}) {
  const name = model?.name ?? about?.activeModel.name ?? '…';
  const sha = model?.sha256 ?? about?.activeModel.sha256;
  const demo = model?.demo ?? about?.activeModel.demo ?? false;
  const engine = scoring ? 'scoring…' : model ? `${model.backend} · ${precisionOf(model)}` : 'starts on the first study';
  return (
    <button
      type="button"
      className="model-bar"
      onClick={onModels}
      title={`Models… (change, import, inspect)\n${name}${sha ? `\nweights sha256 ${sha}` : ''}${model ? `\n${model.backendDetail}` : ''}`}
      data-testid="model-bar"
    >
      <span className="model-lines">
        <span className="model-bar-name">{name}</span>
        <span className="model-bar-meta">
          {model && `v${model.version} · `}
          {sha && <span className="mono">{sha.slice(0, 8)}</span>} · <span data-testid="engine-state">{engine}</span>
        </span>
      </span>
      {demo && (
        <span className="badge demo" data-testid="demo-badge" title="Random weights: for trying the app only; its numbers mean nothing">
          UNTRAINED DEMO
        </span>
      )}
    </button>
  );
}
