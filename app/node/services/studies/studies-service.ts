import { basename } from 'node:path';
import type { ApiEvent } from '../../../common/contract/api.ts';
import type { FileResult, ModelInfo } from '../../../common/contract/classify.ts';
import type {
  ClassifyStudiesResponse,
  OpenFailure,
  OpenStudiesResponse,
  StudyPixels,
  StudyResult,
  StudySummary,
  StudyTag,
} from '../../../common/contract/studies.ts';
import type { UiEventPayload } from '../../../common/contract/ui.ts';
import { DenseRayError, toErrorInfo } from '../../shared/errors.ts';
import type { AnalysisService } from '../analysis/analysis-service.ts';
import { heatmapPng, viewerHeatmaps } from '../analysis/heatmaps.ts';
import type { ReaderClient } from './reader-client.ts';

export interface StudiesServiceOptions {
  emit(event: ApiEvent): void;
  /** The reader process (parses untrusted files for the viewer). */
  reader: ReaderClient;
  /** The one classify use case every door shares. */
  analysis: AnalysisService;
}

interface StudyRecord {
  path: string;
  summary: StudySummary;
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

  async classify(request: { ids: string[]; opId?: string | undefined }): Promise<ClassifyStudiesResponse> {
    const records = request.ids.map((id) => ({ id, record: this.record(id) }));
    const results = new Map<string, StudyResult>();
    const runnable = records.filter(({ id, record }) => {
      if (!record.summary.notClassifiable) return true;
      results.set(id, { id, ok: false, error: record.summary.notClassifiable });
      return false;
    });
    const progress = this.progress(request.opId, 'classify', runnable.length);
    const controller = new AbortController();
    if (request.opId) this.running.set(request.opId, controller);
    let outcome: Awaited<ReturnType<AnalysisService['classify']>>;
    try {
      outcome = await this.options.analysis.classify(
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

  /** The heatmap PNG of one finding of a classified study, exactly as the CLI and reports write it. */
  async heatmapPng(request: { id: string; label: string }): Promise<{ id: string; label: string; model: ModelInfo; png: Uint8Array }> {
    const record = this.record(request.id);
    if (!record.last) throw new DenseRayError('INVALID_ARGUMENT', `study ${request.id} has not been classified yet`);
    const { model, result } = record.last;
    return { id: request.id, label: request.label, model, png: heatmapPng(result.prediction, model.labels, request.label) };
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
  }

  private register(path: string, info: Omit<StudySummary, 'id'>): StudyRecord {
    const id = `s${(this.nextStudy++).toString(36)}`;
    const record = { path, summary: { id, ...info } };
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
