import { useCallback, useEffect, useState } from 'react';
import type { ApiResponse } from '../../app/common/contract/api.ts';
import {
  DICOM_NODE_STATUS_CHANNEL,
  type ListenerSettings,
  type ListenerStatus,
  type PacsStudy,
  type PacsTriageResult,
  type Transfer,
} from '../../app/common/contract/dicom-node.ts';
import type { ErrorInfo } from '../../app/common/errors.ts';
import { ApiError, call, onEvent } from '../api.ts';
import { Busy } from '../shell/Busy.tsx';
import { Dialog } from '../shell/Dialog.tsx';
import { ErrorText } from '../shell/ErrorText.tsx';
import { formatTime } from '../shell/format.ts';
import { type PeerField, parsePeerField, peerText, splitTitles } from './settings-form.ts';

const asInfo = (e: unknown): ErrorInfo => (e instanceof ApiError ? e.info : { code: 'INTERNAL', message: String(e) });

const COUNT_LABELS: [keyof ListenerStatus['counts'], string][] = [
  ['received', 'stored'],
  ['triaged', 'triaged'],
  ['refused', 'not assessed'],
  ['failed', 'unreadable'],
  ['waiting', 'waiting'],
  ['duplicates', 'duplicates'],
  ['rejectedAssociations', 'callers refused'],
  ['sent', 'results sent'],
  ['pending', 'results pending'],
  ['sendFailed', 'refused by peer'],
];

/**
 * The DICOM node: start and stop the listener (AE title, port, who may send, where results go),
 * watch what it does (counts, the last problems, the transfer log), and pull studies from a PACS
 * over DICOMweb. Nothing is sent anywhere unless a destination is filled in.
 */
export function DicomNodeScreen({ onClose }: { onClose(): void }) {
  const [status, setStatus] = useState<ListenerStatus>();
  const [form, setForm] = useState<{
    aeTitle: string;
    port: string;
    host: string;
    allow: string;
    allowAny: boolean;
    sendTo: string;
    reportRefusals: boolean;
  }>();
  const [transfers, setTransfers] = useState<Transfer[]>([]);
  const [error, setError] = useState<ErrorInfo>();
  const [busy, setBusy] = useState<string>();

  const refreshLog = useCallback(() => {
    call('dicomNode.transfers', { limit: 50 })
      .then((r) => setTransfers(r.transfers))
      .catch(() => undefined);
  }, []);

  useEffect(() => {
    call('dicomNode.status', {}).then(setStatus, (e: unknown) => setError(asInfo(e)));
    call('dicomNode.settings', {}).then(
      (s: ListenerSettings) =>
        setForm({
          aeTitle: s.aeTitle,
          port: String(s.port),
          host: s.host ?? '',
          allow: s.allow.join(', '),
          allowAny: s.allowAny,
          sendTo: s.sendTo ? peerText(s.sendTo) : '',
          reportRefusals: s.reportRefusals,
        }),
      (e: unknown) => setError(asInfo(e)),
    );
    refreshLog();
    return onEvent(DICOM_NODE_STATUS_CHANNEL, (s) => {
      setStatus(s);
      refreshLog();
    });
  }, [refreshLog]);

  const sendTo: PeerField = parsePeerField(form?.sendTo ?? '');
  const start = async () => {
    if (!form || sendTo === 'invalid') return;
    setError(undefined);
    setBusy('Starting the listener');
    try {
      setStatus(
        await call('dicomNode.start', {
          aeTitle: form.aeTitle.trim(),
          port: Number(form.port),
          ...(form.host.trim() ? { host: form.host.trim() } : {}),
          allow: splitTitles(form.allow),
          allowAny: form.allowAny,
          sendTo: sendTo ?? null,
          reportRefusals: form.reportRefusals,
        }),
      );
    } catch (e) {
      setError(asInfo(e));
    } finally {
      setBusy(undefined);
    }
  };
  const stop = async () => {
    setBusy('Stopping');
    try {
      setStatus(await call('dicomNode.stop', {}));
    } catch (e) {
      setError(asInfo(e));
    } finally {
      setBusy(undefined);
    }
  };

  const listening = status?.state === 'listening';
  return (
    <Dialog title="DICOM node" onClose={onClose} full testId="dicom-node-screen">
      <div className="screen-grid jobs-grid">
        <section className="pane">
          <div className="panel-block">
            <h3>
              Listener{' '}
              <span
                className={`badge state-${listening ? 'running' : status?.state === 'failed' ? 'failed' : 'cancelled'}`}
                data-testid="node-state"
              >
                {listening ? `listening on port ${status?.port}` : (status?.state ?? '…')}
              </span>
            </h3>
            {form && (
              <div className="stack">
                <div className="inline-fields">
                  <label>
                    AE title
                    <input
                      value={form.aeTitle}
                      maxLength={16}
                      disabled={listening}
                      onChange={(e) => setForm({ ...form, aeTitle: e.target.value })}
                    />
                  </label>
                  <label>
                    Port
                    <input
                      data-testid="node-port"
                      type="number"
                      min={0}
                      max={65535}
                      value={form.port}
                      disabled={listening}
                      onChange={(e) => setForm({ ...form, port: e.target.value })}
                    />
                  </label>
                  <label className="grow">
                    Bind address (empty: all)
                    <input
                      data-testid="node-bind"
                      value={form.host}
                      disabled={listening}
                      onChange={(e) => setForm({ ...form, host: e.target.value })}
                    />
                  </label>
                </div>
                <div className="field">
                  <label htmlFor="node-allow">Calling AE titles that may send (comma-separated)</label>
                  <input
                    id="node-allow"
                    data-testid="node-allow"
                    value={form.allow}
                    disabled={listening || form.allowAny}
                    onChange={(e) => setForm({ ...form, allow: e.target.value })}
                  />
                </div>
                <div className="inline-fields">
                  <label className="check">
                    <input
                      type="checkbox"
                      checked={form.allowAny}
                      disabled={listening}
                      onChange={(e) => setForm({ ...form, allowAny: e.target.checked })}
                    />
                    Accept any caller (closed networks only)
                  </label>
                </div>
                <div className="field">
                  <label htmlFor="node-send-to">Send SR and heatmaps to (AET@host:port; empty: results stay here)</label>
                  <input
                    id="node-send-to"
                    className={sendTo === 'invalid' ? 'invalid' : undefined}
                    value={form.sendTo}
                    disabled={listening}
                    placeholder="PACS@10.0.0.5:104"
                    onChange={(e) => setForm({ ...form, sendTo: e.target.value })}
                  />
                </div>
                <div className="inline-fields">
                  <label className="check">
                    <input
                      type="checkbox"
                      checked={form.reportRefusals}
                      disabled={listening}
                      onChange={(e) => setForm({ ...form, reportRefusals: e.target.checked })}
                    />
                    Also report images not assessed (not a chest X-ray)
                  </label>
                </div>
                <div className="button-row">
                  {listening ? (
                    <button type="button" onClick={() => void stop()} data-testid="node-stop">
                      Stop
                    </button>
                  ) : (
                    <button
                      type="button"
                      className="primary"
                      onClick={() => void start()}
                      disabled={sendTo === 'invalid'}
                      data-testid="node-start"
                    >
                      Start listening
                    </button>
                  )}
                  {busy && <Busy>{busy}</Busy>}
                </div>
                {error && <ErrorText error={error} />}
              </div>
            )}
          </div>
          {status && (
            <div className="panel-block">
              <h3>Counts</h3>
              <table className="data-table" data-testid="node-counts">
                <tbody>
                  {COUNT_LABELS.map(([key, label]) => (
                    <tr key={key}>
                      <td>{label}</td>
                      <td className="num">{status.counts[key]}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
              {status.problems.length > 0 && (
                <>
                  <h3>Last problems</h3>
                  <ul className="stack no-margin" data-testid="node-problems">
                    {status.problems.slice(0, 8).map((p) => (
                      <li key={`${p.at}-${p.message}`}>
                        <span className="muted">{formatTime(p.at)}</span> <ErrorText error={p} />
                      </li>
                    ))}
                  </ul>
                </>
              )}
            </div>
          )}
        </section>
        <section className="pane wide-pane">
          <TransferLog transfers={transfers} />
          <PacsPull />
        </section>
      </div>
    </Dialog>
  );
}

function TransferLog({ transfers }: { transfers: Transfer[] }) {
  return (
    <div className="panel-block">
      <h3>Transfers (newest first)</h3>
      {transfers.length === 0 ? (
        <p className="muted">Nothing received or sent yet.</p>
      ) : (
        <div className="table-scroll">
          <table className="data-table" data-testid="node-transfers">
            <thead>
              <tr>
                <th>When</th>
                <th>Direction</th>
                <th>Peer</th>
                <th>What</th>
                <th>Outcome</th>
              </tr>
            </thead>
            <tbody>
              {transfers.map((t) => (
                <tr key={t.id}>
                  <td>{formatTime(t.at)}</td>
                  <td>{t.direction}</td>
                  <td className="ellipsis" title={t.peer}>
                    {t.peer}
                  </td>
                  <td className="ellipsis" title={t.sopInstanceUid ?? ''}>
                    {t.what}
                  </td>
                  <td title={[t.code, t.message].filter(Boolean).join(': ')}>
                    <span
                      className={`badge ${t.outcome === 'ok' ? 'state-done' : t.outcome === 'retrying' ? 'state-paused' : t.outcome === 'duplicate' ? '' : 'state-failed'}`}
                    >
                      {t.outcome}
                    </span>{' '}
                    {t.code && <code>{t.code}</code>}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}

function PacsPull() {
  const [url, setUrl] = useState('');
  const [since, setSince] = useState('');
  const [patient, setPatient] = useState('');
  const [sendBack, setSendBack] = useState(false);
  const [studies, setStudies] = useState<PacsStudy[]>();
  const [result, setResult] = useState<PacsTriageResult>();
  const [error, setError] = useState<ErrorInfo>();
  const [busy, setBusy] = useState<string>();
  const query = () => ({
    url: url.trim(),
    ...(since ? { since: since.replaceAll('-', '') } : {}),
    ...(patient.trim() ? { patientId: patient.trim() } : {}),
  });
  const run = async <T,>(label: string, work: () => Promise<T>, done: (value: T) => void) => {
    setError(undefined);
    setBusy(label);
    try {
      done(await work());
    } catch (e) {
      setError(asInfo(e));
    } finally {
      setBusy(undefined);
    }
  };
  return (
    <div className="panel-block" data-testid="pacs-panel">
      <h3>PACS (DICOMweb)</h3>
      <div className="inline-fields">
        <label className="grow">
          DICOMweb root
          <input value={url} placeholder="http://pacs:8042/dicom-web" onChange={(e) => setUrl(e.target.value)} />
        </label>
        <label>
          Since
          <input type="date" value={since} onChange={(e) => setSince(e.target.value)} />
        </label>
        <label>
          Patient ID
          <input value={patient} onChange={(e) => setPatient(e.target.value)} />
        </label>
      </div>
      <div className="button-row">
        <button type="button" disabled={!url.trim()} onClick={() => void run('Searching', () => call('pacs.search', query()), setStudies)}>
          Search CR/DX studies
        </button>
        <button
          type="button"
          className="primary"
          disabled={!url.trim() || !studies?.length}
          onClick={() => void run('Retrieving and triaging', () => call('pacs.triage', { ...query(), sendBack }), setResult)}
        >
          Triage these
        </button>
        <label className="check">
          <input type="checkbox" checked={sendBack} onChange={(e) => setSendBack(e.target.checked)} /> send SR and heatmaps back (STOW-RS)
        </label>
        {busy && <Busy>{busy}</Busy>}
      </div>
      {error && <ErrorText error={error} />}
      {studies && <p className="muted">{studies.length === 0 ? 'No studies match.' : `${studies.length} studies found.`}</p>}
      {result && <TriageSummary result={result} />}
    </div>
  );
}

function TriageSummary({ result }: { result: ApiResponse<'pacs.triage'> }) {
  const scored = result.instances.filter((i) => i.state === 'triaged');
  return (
    <p data-testid="pacs-result">
      {result.instances.length} images from {result.studies} studies: {scored.length} triaged, {result.instances.length - scored.length} not
      scored
      {result.sent + result.pending > 0 ? `; ${result.sent} results sent, ${result.pending} pending` : '; nothing sent'}. They are in the
      worklist.
    </p>
  );
}
