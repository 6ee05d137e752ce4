import { useCallback, useEffect, useState } from 'react';
import type { CatalogueListItem, FetchProgress } from '../../app/common/contract/catalogue.ts';
import type { ErrorInfo } from '../../app/common/errors.ts';
import { call, onEvent } from '../api.ts';
import { Busy, ProgressBar } from '../shell/Busy.tsx';
import { ErrorText } from '../shell/ErrorText.tsx';
import { asErrorInfo } from '../shell/errors.ts';
import { formatBytes } from '../shell/format.ts';
import { cardSection, Markdown } from '../shell/Markdown.tsx';

const PHASE_TEXT: Record<FetchProgress['phase'], string> = {
  download: 'Downloading',
  verify: 'Verifying checksum',
  import: 'Importing',
  done: 'Installed',
  failed: 'Failed',
  cancelled: 'Cancelled',
};

/** Published chest X-ray DenseNets: what each is for, its licence and card, how sure we are of its bytes; fetch with progress and cancel. */
export function Catalogue({ onChanged }: { onChanged(): void }) {
  const [items, setItems] = useState<CatalogueListItem[]>();
  const [listError, setListError] = useState<ErrorInfo>();
  const [progress, setProgress] = useState<Map<string, FetchProgress>>(new Map());
  const [fetching, setFetching] = useState<Set<string>>(new Set());
  const [errors, setErrors] = useState<Map<string, ErrorInfo>>(new Map());
  const [open, setOpen] = useState<string>();

  const refresh = useCallback(
    () =>
      call('catalogue.list', {})
        .then((list) => {
          setItems(list);
          setListError(undefined);
        })
        .catch((e: unknown) => setListError(asErrorInfo(e))),
    [],
  );
  useEffect(() => void refresh(), [refresh]);
  useEffect(() => onEvent('catalogue.progress', (p) => setProgress((prev) => new Map(prev).set(p.name, p))), []);

  const setError = (name: string, error: ErrorInfo | undefined): void =>
    setErrors((prev) => {
      const next = new Map(prev);
      if (error) next.set(name, error);
      else next.delete(name);
      return next;
    });
  const setBusy = (name: string, on: boolean): void =>
    setFetching((prev) => {
      const next = new Set(prev);
      if (on) next.add(name);
      else next.delete(name);
      return next;
    });

  const fetchModel = async (name: string, activate: boolean): Promise<void> => {
    setBusy(name, true);
    setError(name, undefined);
    setProgress((prev) => new Map(prev).set(name, { name, phase: 'download', receivedBytes: 0, totalBytes: null }));
    try {
      await call('catalogue.fetch', { name, activate });
      await refresh();
      onChanged();
    } catch (e) {
      const info = asErrorInfo(e);
      if (info.code !== 'CANCELLED') setError(name, info);
    } finally {
      setBusy(name, false);
    }
  };

  const activate = async (id: string, name: string): Promise<void> => {
    try {
      await call('models.activate', { id });
      await refresh();
      onChanged();
    } catch (e) {
      setError(name, asErrorInfo(e));
    }
  };

  if (listError)
    return (
      <p className="result-error">
        <ErrorText error={listError} />
      </p>
    );
  if (!items) return <Busy>Reading the catalogue…</Busy>;
  return (
    <section className="catalogue" data-testid="catalogue">
      <p className="muted small">
        Published chest X-ray DenseNets DenseRay knows how to fetch, verify and run exactly as their authors' code does. Nothing is
        downloaded unless you press Fetch; on a machine without internet, copy the file over and use Import below.
      </p>
      <ul className="catalogue-list">
        {items.map((item) => {
          const e = item.entry;
          const p = progress.get(e.name);
          const busy = fetching.has(e.name);
          const error = errors.get(e.name);
          const goodFor = cardSection(item.card, 'Intended use');
          const labels = e.outputs.filter((o) => o !== '').length;
          const expanded = open === e.name;
          return (
            <li
              key={e.name}
              className={`catalogue-entry${item.active ? ' active' : ''}`}
              data-testid="catalogue-entry"
              data-name={e.name}
              data-pin={item.pin}
            >
              <div className="catalogue-main">
                <div className="catalogue-title">
                  <strong>{e.title}</strong>
                  {item.active && <span className="badge active-badge">active</span>}
                  {item.installedId && !item.active && <span className="badge installed-badge">installed</span>}
                </div>
                <div className="muted small mono">
                  {e.name} · {e.network.arch} · {e.network.inChannels === 1 ? '1-channel' : '3-channel'} · {e.preprocessing.size} px
                </div>
                {goodFor && <p className="catalogue-goodfor small">{goodFor}</p>}
                <dl className="catalogue-facts small">
                  <div>
                    <dt>Licence</dt>
                    <dd data-testid="catalogue-licence" title={e.licence.note}>
                      {e.licence.name}
                    </dd>
                  </div>
                  <div>
                    <dt>Labels</dt>
                    <dd>
                      {labels}
                      {labels !== e.outputs.length ? ` (of ${e.outputs.length} outputs)` : ''}
                    </dd>
                  </div>
                  <div>
                    <dt>Reported AUROC</dt>
                    <dd>{e.reportedMeanAuroc !== null ? e.reportedMeanAuroc.toFixed(3) : 'see card'}</dd>
                  </div>
                  <div>
                    <dt>Size</dt>
                    <dd>
                      {e.file.bytes
                        ? formatBytes(e.file.bytes)
                        : e.file.reported?.bytes
                          ? `≈ ${formatBytes(e.file.reported.bytes)}`
                          : 'unknown'}
                    </dd>
                  </div>
                  <div>
                    <dt>sha256</dt>
                    <dd data-testid="catalogue-pin">
                      {item.pin === 'unpinned' ? (
                        <span
                          className="badge warn"
                          title={
                            e.file.gitBlobSha1
                              ? "No published sha256: the first download is checked against the file's git blob id at the pinned commit, then its sha256 is recorded on this machine."
                              : 'No published sha256: the first verified download records it on this machine.'
                          }
                        >
                          unpinned
                        </span>
                      ) : (
                        <span className="mono" title={item.sha256 ?? ''}>
                          <span className={`badge ${item.pin === 'pinned' ? 'pin-badge' : ''}`}>
                            {item.pin === 'pinned' ? 'pinned' : 'recorded here'}
                          </span>{' '}
                          {item.sha256?.slice(0, 12)}…
                        </span>
                      )}
                    </dd>
                  </div>
                </dl>
                {e.licence.note && <p className="muted small">{e.licence.note}</p>}
              </div>
              <div className="catalogue-actions">
                {busy ? (
                  <button
                    type="button"
                    className="danger"
                    onClick={() => void call('catalogue.cancel', { name: e.name })}
                    data-testid="catalogue-cancel"
                  >
                    Cancel
                  </button>
                ) : item.installedId ? (
                  !item.active && (
                    <button type="button" className="secondary" onClick={() => void activate(item.installedId!, e.name)}>
                      Use
                    </button>
                  )
                ) : (
                  <>
                    <button
                      type="button"
                      className="primary"
                      onClick={() => void fetchModel(e.name, false)}
                      data-testid="catalogue-fetch"
                      title={`Download from ${e.url}`}
                    >
                      Fetch
                    </button>
                    <button
                      type="button"
                      className="secondary"
                      onClick={() => void fetchModel(e.name, true)}
                      title="Fetch, verify, install and make it the active model"
                    >
                      Fetch &amp; use
                    </button>
                  </>
                )}
                <button
                  type="button"
                  className="link"
                  aria-expanded={expanded}
                  onClick={() => setOpen(expanded ? undefined : e.name)}
                  data-testid="catalogue-card-toggle"
                >
                  {expanded ? 'Hide card' : 'Model card'}
                </button>
              </div>
              {busy && p && (
                <div className="catalogue-progress" data-testid="catalogue-progress">
                  <ProgressBar done={p.receivedBytes} total={p.phase === 'download' ? p.totalBytes : null} label={`Fetching ${e.name}`} />
                  <span className="muted small">
                    {PHASE_TEXT[p.phase]}{' '}
                    {p.phase === 'download'
                      ? `${formatBytes(p.receivedBytes)}${p.totalBytes ? ` of ${formatBytes(p.totalBytes)}` : ''}`
                      : '…'}
                  </span>
                </div>
              )}
              {error && (
                <p className="result-error catalogue-error" data-testid="catalogue-error">
                  <ErrorText error={error} />
                </p>
              )}
              {expanded && (
                <div className="catalogue-card" data-testid="catalogue-card">
                  <Markdown text={item.card} />
                  <p className="muted small">
                    Source <span className="mono">{e.url}</span> · homepage <span className="mono">{e.homepage}</span>
                  </p>
                </div>
              )}
            </li>
          );
        })}
      </ul>
    </section>
  );
}
