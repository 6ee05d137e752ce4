import { existsSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import type { ApiEvent } from '../../../common/contract/api.ts';
import type { FileResult, ModelInfo } from '../../../common/contract/classify.ts';
import type {
  ClassifyStudiesResponse,
  OpenFailure,
  OpenStudiesResponse,
  PriorsResponse,
  PriorStudy,
  StudyPixels,
  StudyResult,
  StudySummary,
  StudyTag,
} from '../../../common/contract/studies.ts';
import type { Preprocessing } from '../../../common/manifest.ts';
import type { UiEventPayload } from '../../../common/contract/ui.ts';
import { DenseRayError, toErrorInfo } from '../../shared/errors.ts';
import type { AnalysisService } from '../analysis/analysis-service.ts';
import { heatmapPng, viewerHeatmaps } from '../analysis/heatmaps.ts';
import type { StoredResultsSource } from './open-stored-results.ts';
import type { StudyIdentity } from './read-study-file.ts';
import type { ReaderClient } from './reader-client.ts';
import { isEarlierStudy } from '../../../common/study-date.ts';
import { storedPrediction } from './stored-prediction.ts';

export interface StudiesServiceOptions {
  emit(event: ApiEvent): void;
  /** The reader process (parses untrusted files for the viewer). */
  reader: ReaderClient;
  /** The one classify use case every door shares. */
  analysis: AnalysisService;
  /**
   * What batch jobs stored (results, a patient's other studies), or undefined where there is no
   * readable store; lookups that fail are skipped, so a damaged store never stops the viewer.
   */
  stored?: StoredResultsSource;
  /** The installed model's preprocessing, to place stored CAMs on the film. */
  preprocessingOf?: (modelId: string) => Pick<Preprocessing, 'crop' | 'size' | 'shorterSide'> | undefined;
}

/** At most this many of a patient's stored studies are opened when looking for priors. */
const MAX_STORED_PRIORS = 5;

interface StudyRecord {
  path: string;
  summary: StudySummary;
  identity: StudyIdentity;
  /** The last classification, kept for heatmap export. */
  last?: { model: ModelInfo; result: Extract<FileResult, { ok: true }> };
}

/**
 * Owns the opened studies: their paths stay here, the UI gets ids. Parsing happens in the reader
 * process and classification goes through AnalysisService (engine process); this service only
 * routes, so it is safe to run inside Electron's main process.
 */
export class StudiesService {
  private readonly byId = new Map<string, StudyRecord>();
  private readonly idByPath = new Map<string, string>();
  private readonly running = new Map<string, AbortController>();
  private nextStudy = 1;

  constructor(private readonly options: StudiesServiceOptions) {}

  async open(request: { paths: string[]; opId?: string | undefined }): Promise<OpenStudiesResponse> {
    const files = await this.options.reader.expand(request.paths);
    const studies: StudySummary[] = [];
    const failures: OpenFailure[] = [];
    const progress = this.progress(request.opId, 'open', files.length);
    for (const path of files) {
      const known = this.idByPath.get(path);
      try {
        const record = known ? this.byId.get(known)! : this.register(path, await this.options.reader.inspect(path));
        studies.push(record.summary);
      } catch (error) {
        failures.push({ name: basename(path), error: toErrorInfo(error, 'IMAGE_DECODE_FAILED') });
      }
      progress();
    }
    return { studies, failures };
  }

  async pixels(request: { id: string; frame: number }): Promise<StudyPixels> {
    const record = this.record(request.id);
    return { id: request.id, ...(await this.options.reader.pixels(record.path, request.frame)) };
  }

  async tags(request: { id: string }): Promise<{ id: string; tags: StudyTag[] }> {
    return { id: request.id, tags: await this.options.reader.tags(this.record(request.id).path) };
  }

  async classify(request: { ids: string[]; opId?: string | undefined; useStored?: boolean | undefined }): Promise<ClassifyStudiesResponse> {
    const records = request.ids.map((id) => ({ id, record: this.record(id) }));
    const results = new Map<string, StudyResult>();
    const classifiable = records.filter(({ id, record }) => {
      if (!record.summary.notClassifiable) return true;
      results.set(id, { id, ok: false, error: record.summary.notClassifiable });
      return false;
    });
    // What a batch job already scored with this very model and weights is read, not scored again.
    const current = request.useStored === false ? undefined : await this.options.analysis.open();
    const runnable = current ? classifiable.filter(({ id, record }) => !this.readStored(id, record, current, results)) : classifiable;
    const progress = this.progress(request.opId, 'classify', runnable.length);
    const controller = new AbortController();
    if (request.opId) this.running.set(request.opId, controller);
    let outcome: Awaited<ReturnType<AnalysisService['classify']>>;
    try {
      outcome =
        runnable.length === 0 && current
          ? { model: current, results: [], cancelled: false }
          : await this.options.analysis.classify(
              runnable.map((r) => r.record.path),
              { cams: true, signal: controller.signal, onResult: () => progress() },
            );
    } finally {
      if (request.opId) this.running.delete(request.opId);
    }
    const { model } = outcome;
    outcome.results.forEach((result, i) => {
      const { id, record } = runnable[i]!;
      if (result.ok) {
        record.last = { model, result };
        const heatmaps = viewerHeatmaps(result.prediction, model.labels.length);
        results.set(id, { id, ok: true, prediction: result.prediction, ...(heatmaps ? { heatmaps } : {}) });
      } else {
        // The UI shows file names, never the folders they came from.
        results.set(id, {
          id,
          ok: false,
          error: { ...result.error, message: result.error.message.replaceAll(record.path, record.summary.name) },
        });
      }
    });
    const ordered = request.ids.flatMap((id) => {
      const r = results.get(id);
      return r ? [r] : [];
    });
    // A cancelled run returns what finished; the rest are reported as cancelled, not silently dropped.
    for (const id of request.ids)
      if (!results.has(id)) ordered.push({ id, ok: false, error: { code: 'CANCELLED', message: 'classification was cancelled' } });
    return { model, results: ordered, cancelled: outcome.cancelled };
  }

  async cancel(request: { opId: string }): Promise<{ cancelled: boolean }> {
    const controller = this.running.get(request.opId);
    if (!controller) return { cancelled: false };
    controller.abort();
    return { cancelled: true };
  }

  /**
   * The patient's earlier studies (same Patient ID, an earlier study date and time): those already
   * open, then the ones the study store knows from batch jobs, which are opened now. Most recent first.
   */
  async priors(request: { id: string }): Promise<PriorsResponse> {
    const current = this.record(request.id);
    const patientId = current.summary.patientId;
    if (!patientId) return { id: request.id, priors: [] };
    const isPrior = (other: StudyRecord): boolean =>
      other !== current &&
      other.summary.patientId === patientId &&
      other.identity.sha256 !== current.identity.sha256 &&
      isEarlierStudy(other.summary, current.summary);
    const found: PriorStudy[] = [...this.byId.values()].filter(isPrior).map((r) => ({ summary: r.summary, source: 'opened' }));
    for (const record of await this.openStoredStudies(patientId))
      if (isPrior(record)) found.push({ summary: record.summary, source: 'store' });
    found.sort((a, b) => (isEarlierStudy(a.summary, b.summary) ? 1 : isEarlierStudy(b.summary, a.summary) ? -1 : 0));
    return { id: request.id, priors: found };
  }

  /** The heatmap PNG of one finding of a classified study, exactly as the CLI and reports write it. */
  async heatmapPng(request: { id: string; label: string }): Promise<{ id: string; label: string; model: ModelInfo; png: Uint8Array }> {
    const record = this.record(request.id);
    if (!record.last) throw new DenseRayError('INVALID_ARGUMENT', `study ${request.id} has not been classified yet`);
    const { model, result } = record.last;
    return { id: request.id, label: request.label, model, png: heatmapPng(result.prediction, model, request.label) };
  }

  /**
   * A file classified elsewhere (the DICOM node) joins the open studies: registered like an opened
   * file, with its result kept for heatmap export as if classified here. Returns its summary.
   */
  async adopt(request: { path: string; model: ModelInfo; result: FileResult }): Promise<StudySummary> {
    const known = this.idByPath.get(request.path);
    const record = known ? this.byId.get(known)! : this.register(request.path, await this.options.reader.inspect(request.path));
    if (request.result.ok) record.last = { model: request.model, result: request.result };
    return record.summary;
  }

  /** Weights files are untrusted: the reader process parses and installs them. */
  importModel(request: Parameters<ReaderClient['importModel']>[0]): ReturnType<ReaderClient['importModel']> {
    return this.options.reader.importModel(request);
  }

  status(): { model: ModelInfo | null; restarts: number } {
    return this.options.analysis.status();
  }

  close(): void {
    this.options.analysis.close();
    this.options.reader.close();
    this.options.stored?.close();
  }

  /** Sets the stored result of this study for `model` into `results`; false when there is none to read. */
  private readStored(id: string, record: StudyRecord, model: ModelInfo, results: Map<string, StudyResult>): boolean {
    const preprocessing = this.options.preprocessingOf?.(model.id);
    if (!preprocessing) return false;
    try {
      const row = this.options.stored?.read()?.find(record.identity, { modelId: model.id, weightsSha256: model.sha256 });
      if (!row) return false;
      const size = { width: record.summary.columns, height: record.summary.rows };
      const { prediction, stored } = storedPrediction(row, model, preprocessing, size);
      record.last = { model, result: { file: record.path, ok: true, prediction } };
      const heatmaps = viewerHeatmaps(prediction, model.labels.length);
      results.set(id, { id, ok: true, prediction, ...(heatmaps ? { heatmaps } : {}), stored });
      return true;
    } catch {
      return false; // an unreadable store row is scored afresh instead
    }
  }

  /** Opens (through the reader) the files of the patient's studies that the store knows and are still on disk. */
  private async openStoredStudies(patientId: string): Promise<StudyRecord[]> {
    let rows: { study_id: number; path: string }[];
    try {
      rows = this.options.stored?.read()?.filesOfPatient(patientId) ?? [];
    } catch {
      return [];
    }
    const opened: StudyRecord[] = [];
    const done = new Set<number>();
    for (const row of rows) {
      if (done.has(row.study_id) || done.size >= MAX_STORED_PRIORS) continue;
      const path = resolve(row.path);
      const known = this.idByPath.get(path);
      if (known) {
        done.add(row.study_id);
        continue; // already open: listed with the opened ones
      }
      if (!existsSync(path)) continue; // a copy on a disk that is gone; another copy may be there
      try {
        opened.push(this.register(path, await this.options.reader.inspect(path)));
        done.add(row.study_id);
      } catch {
        // unreadable now: try the study's next copy
      }
    }
    return opened;
  }

  private register(path: string, inspected: { info: Omit<StudySummary, 'id'>; identity: StudyIdentity }): StudyRecord {
    const id = `s${(this.nextStudy++).toString(36)}`;
    const record: StudyRecord = { path, summary: { id, ...inspected.info }, identity: inspected.identity };
    this.byId.set(id, record);
    this.idByPath.set(path, id);
    return record;
  }

  private record(id: string): StudyRecord {
    const record = this.byId.get(id);
    if (!record) throw new DenseRayError('INVALID_ARGUMENT', `no open study "${id}"; open its file first`);
    return record;
  }

  /** A progress ticker that emits at most every 100 ms (and always the last step). */
  private progress(opId: string | undefined, phase: 'open' | 'classify', total: number): () => void {
    let done = 0;
    let last = 0;
    const send = () => {
      const payload: UiEventPayload<'studies.progress'> = { opId: opId!, phase, done, total };
      this.options.emit({ channel: 'studies.progress', payload });
    };
    if (opId) send();
    return () => {
      done++;
      const now = Date.now();
      if (opId && (now - last > 100 || done === total)) {
        last = now;
        send();
      }
    };
  }
}
