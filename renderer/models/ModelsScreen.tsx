import { useCallback, useEffect, useState } from 'react';
import type { ApiResponse } from '../../app/common/contract/api.ts';
import type { ErrorInfo } from '../../app/common/errors.ts';
import { call, hasMethod, isDesktop } from '../api.ts';
import { Busy } from '../shell/Busy.tsx';
import { asErrorInfo } from '../shell/errors.ts';
import { Dialog } from '../shell/Dialog.tsx';
import { ErrorText } from '../shell/ErrorText.tsx';
import { Markdown } from '../shell/Markdown.tsx';
import { Catalogue } from './Catalogue.tsx';
import { PrecisionCell, PrecisionChoice } from './PrecisionChoice.tsx';

type Installed = ApiResponse<'models.list'>[number];
type Details = ApiResponse<'models.details'>;
export type ModelsTab = 'installed' | 'catalogue';

/** Installed models (switch, inspect, remove), the catalogue of published models (fetch), and import by file. */
export function ModelsScreen({
  onClose,
  onChanged,
  initialTab = 'installed',
}: {
  onClose(): void;
  onChanged(): void;
  initialTab?: ModelsTab;
}) {
  const [tab, setTab] = useState<ModelsTab>(initialTab);
  const [models, setModels] = useState<Installed[]>([]);
  const [details, setDetails] = useState<Details | undefined>();
  const [error, setError] = useState<ErrorInfo | undefined>();
  const [busy, setBusy] = useState<string | undefined>();
  const [note, setNote] = useState<string>();
  const [path, setPath] = useState('');
  const [arch, setArch] = useState<'' | 'densenet121' | 'densenet169' | 'densenet201' | 'densenet264'>('');
  const [catalogueVersion, setCatalogueVersion] = useState(0);

  const refresh = useCallback(
    () =>
      call('models.list', {})
        .then(setModels)
        .catch((e: unknown) => setError(asErrorInfo(e))),
    [],
  );
  useEffect(() => {
    void refresh();
  }, [refresh]);

  const run = async (label: string, work: () => Promise<unknown>): Promise<void> => {
    setBusy(label);
    setError(undefined);
    setNote(undefined);
    try {
      await work();
      await refresh();
      setCatalogueVersion((v) => v + 1);
      onChanged();
    } catch (e) {
      setError(asErrorInfo(e));
    } finally {
      setBusy(undefined);
    }
  };

  const choose = async (): Promise<void> => {
    const picked = await call('app.choosePaths', { kind: 'weights' });
    if (picked.supported && picked.paths[0]) setPath(picked.paths[0]);
  };

  /** A catalogue file is recognised (by sha256 or structure) and gets its published manifest; anything else imports as a plain DenseNet. */
  const importFile = async (): Promise<void> => {
    const file = path.trim();
    if (!arch && hasMethod('catalogue.import')) {
      try {
        const result = await call('catalogue.import', { path: file, activate: false });
        setNote(`Recognised as catalogue model ${result.catalogueName} (by ${result.recognisedBy}); imported as ${result.manifest.id}.`);
        return;
      } catch (e) {
        const info = asErrorInfo(e);
        if (info.code !== 'INVALID_ARGUMENT') throw e;
      }
    }
    await call('models.import', { path: file, ...(arch ? { arch } : {}), activate: false });
    setNote(
      arch ? `Imported as ${arch}.` : 'Not a catalogue model: imported as a DenseNet with the architecture detected from its weights.',
    );
  };

  const installed = (
    <>
      <table className="model-table">
        <thead>
          <tr>
            <th>Model</th>
            <th>Architecture</th>
            <th>Labels</th>
            <th>Weights</th>
            <th>Precision</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {models.map(({ manifest: m, active }) => (
            <tr key={m.id} className={active ? 'active' : ''} data-testid="installed-model">
              <td>
                <div className="model-name">
                  {m.name} {active && <span className="badge active-badge">active</span>}{' '}
                  {m.demo && <span className="badge demo">UNTRAINED DEMO</span>}
                </div>
                <div className="muted mono small">
                  {m.id} · v{m.version}
                </div>
                <div className="muted small ellipsis" title={m.provenance.source}>
                  {m.provenance.source}
                </div>
              </td>
              <td>{m.arch}</td>
              <td>{m.labels.length}</td>
              <td className="mono small">{m.weights.sha256.slice(0, 12)}</td>
              <td>
                <PrecisionCell manifest={m} />
                <PrecisionChoice
                  parent={m}
                  models={models.map((x) => x.manifest)}
                  activeId={models.find((x) => x.active)?.manifest.id}
                  onChoose={(id) => void run('Switching precision', () => call('models.activate', { id }))}
                />
              </td>
              <td className="actions">
                <button
                  type="button"
                  className="secondary"
                  onClick={() =>
                    void call('models.details', { id: m.id })
                      .then(setDetails)
                      .catch((e: unknown) => setError(asErrorInfo(e)))
                  }
                >
                  Inspect
                </button>
                {!active && (
                  <button
                    type="button"
                    className="secondary"
                    onClick={() => void run('Switching model', () => call('models.activate', { id: m.id }))}
                  >
                    Use
                  </button>
                )}
                {!m.demo && (
                  <button
                    type="button"
                    className="danger"
                    onClick={() =>
                      window.confirm(`Remove ${m.name}? Its files are deleted.`) &&
                      void run('Removing', () => call('models.remove', { id: m.id }))
                    }
                  >
                    Remove
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {details && (
        <section className="model-details" data-testid="model-details">
          <h3>{details.manifest.name}</h3>
          <div className="details-columns">
            <div className="card">{details.card ? <Markdown text={details.card} /> : <p className="muted">(no model card)</p>}</div>
            <pre className="manifest">{JSON.stringify(details.manifest, null, 2)}</pre>
          </div>
        </section>
      )}
    </>
  );

  return (
    <Dialog title="Models" onClose={onClose} wide testId="models-screen">
      <div className="tabs" role="tablist" aria-label="Models">
        <button
          type="button"
          role="tab"
          aria-selected={tab === 'installed'}
          className={tab === 'installed' ? 'active' : ''}
          onClick={() => setTab('installed')}
          data-testid="tab-installed"
        >
          Installed ({models.length})
        </button>
        <button
          type="button"
          role="tab"
          aria-selected={tab === 'catalogue'}
          className={tab === 'catalogue' ? 'active' : ''}
          onClick={() => setTab('catalogue')}
          data-testid="tab-catalogue"
        >
          Catalogue
        </button>
      </div>
      {error && (
        <p className="result-error">
          <ErrorText error={error} />
        </p>
      )}
      {busy && <Busy>{busy}…</Busy>}
      {note && (
        <p className="ok-text small" data-testid="import-note">
          {note}
        </p>
      )}

      {tab === 'installed' ? (
        installed
      ) : (
        <Catalogue
          key={catalogueVersion}
          onChanged={() => {
            void refresh();
            onChanged();
          }}
        />
      )}

      <section className="import">
        <h3>Import weights from a file</h3>
        <p className="muted small">
          For machines without internet: a file downloaded elsewhere. Catalogue files are recognised by checksum or structure and get their
          published labels, preprocessing and thresholds; other DenseNet checkpoints (.safetensors or PyTorch .pth) import as they are.
          Pickles are read by a safe loader that runs no code.
        </p>
        <form
          className="import-row"
          onSubmit={(e) => {
            e.preventDefault();
            if (path.trim() && !busy) void run('Importing', importFile);
          }}
        >
          <input
            placeholder="Path to weights file"
            value={path}
            onChange={(e) => setPath(e.target.value)}
            aria-label="Path to weights file"
            data-testid="import-path"
          />
          {isDesktop() && (
            <button type="button" className="secondary" onClick={() => void choose()}>
              Choose…
            </button>
          )}
          <select value={arch} onChange={(e) => setArch(e.target.value as typeof arch)} aria-label="Architecture">
            <option value="">Recognise / detect</option>
            <option value="densenet121">DenseNet-121</option>
            <option value="densenet169">DenseNet-169</option>
            <option value="densenet201">DenseNet-201</option>
            <option value="densenet264">DenseNet-264</option>
          </select>
          <button className="primary" type="submit" disabled={!path.trim() || busy !== undefined}>
            Import
          </button>
        </form>
      </section>
    </Dialog>
  );
}
