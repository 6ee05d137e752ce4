import type { ModelInfo } from '../../app/common/contract/classify.ts';
import type { ApiResponse } from '../../app/common/contract/api.ts';

type About = ApiResponse<'app.about'>;

/** Which model and weights produce the numbers on screen, always visible. */
export function ModelBar({ about, model, onModels }: { about: About | undefined; model: ModelInfo | undefined; onModels(): void }) {
  const name = model?.name ?? about?.activeModel.name ?? '…';
  const sha = model?.sha256 ?? about?.activeModel.sha256;
  const demo = model?.demo ?? about?.activeModel.demo ?? false;
  return (
    <button type="button" className="model-bar" onClick={onModels} title="Models… (change, import, inspect)" data-testid="model-bar">
      <span className="model-name">{name}</span>
      {model && <span className="model-meta">v{model.version}</span>}
      {sha && (
        <span className="model-meta mono" title={`weights sha256 ${sha}`}>
          {sha.slice(0, 8)}
        </span>
      )}
      <span className="model-meta">{model ? model.backendDetail || model.backend : 'engine idle'}</span>
      {demo && (
        <span className="badge demo" data-testid="demo-badge" title="Random weights: for trying the app only; its numbers mean nothing">
          UNTRAINED DEMO
        </span>
      )}
    </button>
  );
}
