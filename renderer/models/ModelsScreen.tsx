import { useCallback, useEffect, useState } from 'react';
import type { ApiResponse } from '../../app/common/contract/api.ts';
import type { ErrorInfo } from '../../app/common/errors.ts';
import { ApiError, call, isDesktop } from '../api.ts';
import { Dialog } from '../shell/Dialog.tsx';
import { ErrorText } from '../shell/ErrorText.tsx';

type Installed = ApiResponse<'models.list'>[number];
type Details = ApiResponse<'models.details'>;

const asInfo = (e: unknown): ErrorInfo => (e instanceof ApiError ? e.info : { code: 'INTERNAL', message: String(e) });

/** Import (safetensors/.pth), inspect (manifest and card), switch and remove models. */
export function ModelsScreen({ onClose, onChanged }: { onClose(): void; onChanged(): void }) {
  const [models, setModels] = useState<Installed[]>([]);
  const [details, setDetails] = useState<Details | undefined>();
  const [error, setError] = useState<ErrorInfo | undefined>();
  const [busy, setBusy] = useState<string | undefined>();
  const [path, setPath] = useState('');
  const [arch, setArch] = useState<'' | 'densenet121' | 'densenet169' | 'densenet201' | 'densenet264'>('');

  const refresh = useCallback(() => call('models.list', {}).then(setModels).catch((e: unknown) => setError(asInfo(e))), []);
  useEffect(() => {
    void refresh();
  }, [refresh]);

  const run = async (label: string, work: () => Promise<unknown>): Promise<void> => {
    setBusy(label);
    setError(undefined);
    try {
      await work();
      await refresh();
      onChanged();
    } catch (e) {
      setError(asInfo(e));
    } finally {
      setBusy(undefined);
    }
  };

  const choose = async (): Promise<void> => {
    const picked = await call('app.choosePaths', { kind: 'weights' });
    if (picked.supported && picked.paths[0]) setPath(picked.paths[0]);
  };

  return (
    <Dialog title="Models" onClose={onClose} wide testId="models-screen">
      {error && <p className="result-error"><ErrorText error={error} /></p>}
      {busy && <p className="muted"><span className="spinner" /> {busy}…</p>}
      <table className="model-table">
        <thead>
          <tr><th>Model</th><th>Architecture</th><th>Labels</th><th>Weights</th><th /></tr>
        </thead>
        <tbody>
          {models.map(({ manifest: m, active }) => (
            <tr key={m.id} className={active ? 'active' : ''}>
              <td>
                <div className="model-name">{m.name} {active && <span className="badge">active</span>} {m.demo && <span className="badge demo">UNTRAINED DEMO</span>}</div>
                <div className="muted mono small">{m.id} · v{m.version}</div>
              </td>
              <td>{m.arch}</td>
              <td>{m.labels.length}</td>
              <td className="mono small">{m.weights.sha256.slice(0, 12)}</td>
              <td className="actions">
                <button className="secondary" onClick={() => void call('models.details', { id: m.id }).then(setDetails).catch((e: unknown) => setError(asInfo(e)))}>Inspect</button>
                {!active && <button className="secondary" onClick={() => void run('Switching model', () => call('models.activate', { id: m.id }))}>Use</button>}
                {!m.demo && <button className="danger" onClick={() => window.confirm(`Remove ${m.name}? Its files are deleted.`) && void run('Removing', () => call('models.remove', { id: m.id }))}>Remove</button>}
              </td>
            </tr>
          ))}
        </tbody>
      </table>

      <section className="import">
        <h3>Import weights</h3>
        <p className="muted small">A DenseNet checkpoint as .safetensors or PyTorch .pth (torchvision, CheXNet, TorchXRayVision layouts). Pickles are read by a safe loader that runs no code.</p>
        <div className="import-row">
          <input placeholder="Path to weights file" value={path} onChange={(e) => setPath(e.target.value)} />
          {isDesktop() && <button className="secondary" onClick={() => void choose()}>Choose…</button>}
          <select value={arch} onChange={(e) => setArch(e.target.value as typeof arch)} aria-label="Architecture">
            <option value="">Architecture: detect</option>
            <option value="densenet121">DenseNet-121</option>
            <option value="densenet169">DenseNet-169</option>
            <option value="densenet201">DenseNet-201</option>
            <option value="densenet264">DenseNet-264</option>
          </select>
          <button className="primary" disabled={!path.trim() || busy !== undefined} onClick={() => void run('Importing', () => call('models.import', { path: path.trim(), ...(arch ? { arch } : {}), activate: false }))}>Import</button>
        </div>
      </section>

      {details && (
        <section className="model-details" data-testid="model-details">
          <h3>{details.manifest.name}</h3>
          <div className="details-columns">
            <pre className="card">{details.card || '(no model card)'}</pre>
            <pre className="manifest">{JSON.stringify(details.manifest, null, 2)}</pre>
          </div>
        </section>
      )}
    </Dialog>
  );
}
