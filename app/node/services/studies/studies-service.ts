import { basename } from 'node:path';
import type { ApiEvent } from '../../../common/contract/api.ts';
import type { ModelInfo } from '../../../common/contract/classify.ts';
import type { Preprocessing } from '../../../common/manifest.ts';
import type {
  ClassifyStudiesResponse,
  OpenFailure,
  OpenStudiesResponse,
  PixelRect,
  StudyHeatmaps,
  StudyPixels,
  StudyResult,
  StudySummary,
  StudyTag,
} from '../../../common/contract/studies.ts';
import type { UiEventPayload } from '../../../common/contract/ui.ts';
import { EngineClient } from '../../domain/engine/engine-client.ts';
import { DenseRayError, toErrorInfo } from '../../shared/errors.ts';
import { normalizeCam } from '../../domain/imaging/cam.ts';
import type { ModelStore } from '../../domain/store/model-store.ts';
import { ReaderClient } from './reader-client.ts';

export interface StudiesServiceOptions {
  dataDir: string;
  models: ModelStore;
  emit(event: ApiEvent): void;
  /** Defaults start Node children; Electron main passes utilityProcess-backed clients. */
  reader?: ReaderClient;
  engine?: EngineClient;
}

interface StudyRecord {
  path: string;
  summary: StudySummary;
}

/**
 * Owns the opened studies: their paths stay here, the UI gets ids. Parsing happens in the reader
 * process and inference in the engine process; this service only routes, so it is safe to run
 * inside Electron's main process.
 */
export class StudiesService {
  private readonly reader: ReaderClient;
  private readonly engine: EngineClient;
  private readonly byId = new Map<string, StudyRecord>();
  private readonly idByPath = new Map<string, string>();
  private readonly running = new Map<string, number>();
  private nextStudy = 1;
  private model: { id: string; info: ModelInfo; preprocessing: Preprocessing } | undefined;
  private opening: Promise<ModelInfo> | undefined;

  constructor(private readonly options: StudiesServiceOptions) {
    this.reader = options.reader ?? new ReaderClient();
    this.engine = options.engine ?? new EngineClient();
  }

  async open(request: { paths: string[]; opId?: string | undefined }): Promise<OpenStudiesResponse> {
    const files = await this.reader.expand(request.paths);
    const studies: StudySummary[] = [];
    const failures: OpenFailure[] = [];
    const progress = this.progress(request.opId, 'open', files.length);
    for (const path of files) {
      const known = this.idByPath.get(path);
      try {
        const record = known ? this.byId.get(known)! : this.register(path, await this.reader.inspect(path));
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
    return { id: request.id, ...(await this.reader.pixels(record.path, request.frame)) };
  }

  async tags(request: { id: string }): Promise<{ id: string; tags: StudyTag[] }> {
    return { id: request.id, tags: await this.reader.tags(this.record(request.id).path) };
  }

  async classify(request: { ids: string[]; opId?: string | undefined }): Promise<ClassifyStudiesResponse> {
    const records = request.ids.map((id) => ({ id, record: this.record(id) }));
    const model = await this.openActiveModel();
    const preprocessing = this.model!.preprocessing;
    const results = new Map<string, StudyResult>();
    const runnable = records.filter(({ id, record }) => {
      if (!record.summary.notClassifiable) return true;
      results.set(id, { id, ok: false, error: record.summary.notClassifiable });
      return false;
    });
    const progress = this.progress(request.opId, 'classify', runnable.length);
    let cancelled = false;
    if (runnable.length > 0) {
      const opId = request.opId;
      try {
        const value = await this.engine.classify(
          runnable.map((r) => r.record.path),
          {
            cams: true,
            onResult: () => progress(),
            ...(opId ? { onRequestId: (engineId: number) => this.running.set(opId, engineId) } : {}),
          },
        );
        cancelled = value.cancelled;
        value.results.forEach((result, i) => {
          const { id, record } = runnable[i]!;
          results.set(
            id,
            result.ok
              ? {
                  id,
                  ok: true,
                  prediction: result.prediction,
                  ...heatmapsFor(result.prediction, networkRegion(record.summary, preprocessing), model),
                }
              : { id, ok: false, error: { ...result.error, message: result.error.message.replaceAll(record.path, record.summary.name) } },
          );
        });
      } finally {
        if (request.opId) this.running.delete(request.opId);
      }
    }
    const ordered = request.ids.flatMap((id) => {
      const r = results.get(id);
      return r ? [r] : [];
    });
    // A cancelled run returns what finished; the rest are reported as cancelled, not silently dropped.
    for (const id of request.ids)
      if (!results.has(id)) ordered.push({ id, ok: false, error: { code: 'CANCELLED', message: 'classification was cancelled' } });
    return { model, results: ordered, cancelled };
  }

  async cancel(request: { opId: string }): Promise<{ cancelled: boolean }> {
    const target = this.running.get(request.opId);
    if (target === undefined) return { cancelled: false };
    await this.engine.cancel(target);
    return { cancelled: true };
  }

  /** Weights files are untrusted: the reader process parses and installs them. */
  importModel(request: Parameters<ReaderClient['importModel']>[0]): ReturnType<ReaderClient['importModel']> {
    return this.reader.importModel(request);
  }

  status(): { model: ModelInfo | null; restarts: number } {
    return { model: this.model?.info ?? null, restarts: this.engine.restarts };
  }

  close(): void {
    this.engine.close();
    this.reader.close();
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

  /** Opens the store's active model in the engine, once; switching the active model reopens. */
  private async openActiveModel(): Promise<ModelInfo> {
    const wanted = this.options.models.activeId();
    if (this.model?.id === wanted) return this.model.info;
    if (!this.opening) {
      this.opening = this.engine
        .open({ dataDir: this.options.dataDir, modelId: wanted, backend: 'auto' })
        .then((info) => {
          this.model = { id: wanted, info, preprocessing: this.options.models.get(wanted).manifest.preprocessing };
          return info;
        })
        .finally(() => {
          this.opening = undefined;
        });
    }
    return this.opening;
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

/** Display-ready maps for the viewer, placed over the image region the network actually saw. */
function heatmapsFor(
  prediction: { cams?: { width: number; height: number; data: Float32Array } | undefined },
  region: PixelRect,
  model: ModelInfo,
): { heatmaps?: StudyHeatmaps } {
  const cams = prediction.cams;
  if (!cams) return {};
  const cells = cams.width * cams.height;
  const sigmoid = new Float32Array(cams.data.length);
  const minmax = new Float32Array(cams.data.length);
  for (let k = 0; k < model.labels.length; k++) {
    const map = cams.data.subarray(k * cells, (k + 1) * cells);
    sigmoid.set(normalizeCam(map, cams.height, cams.width, 'sigmoid'), k * cells);
    minmax.set(normalizeCam(map, cams.height, cams.width, 'minmax'), k * cells);
  }
  return { heatmaps: { region, width: cams.width, height: cams.height, sigmoid, minmax } };
}

/** The part of the image the network saw, in image pixels (the crop rules of imaging/preprocess). */
function networkRegion(study: StudySummary, p: Preprocessing): PixelRect {
  const width = study.columns;
  const height = study.rows;
  const long = Math.max(width, height);
  let side = Math.min(width, height);
  let offset: number;
  switch (p.crop) {
    case 'none':
      return { x: 0, y: 0, width, height };
    case 'center-square-xrv':
      offset = Math.floor(long / 2) - Math.floor(side / 2);
      break;
    case 'center-after-resize':
      // Shorter side resized to shorterSide, then a size×size centre crop: map that square back.
      side = Math.min(side, Math.round((p.size * side) / (p.shorterSide ?? p.size)));
      offset = Math.floor((long - side) / 2);
      return width >= height
        ? { x: offset, y: Math.floor((height - side) / 2), width: side, height: side }
        : { x: Math.floor((width - side) / 2), y: offset, width: side, height: side };
    default:
      offset = Math.floor((long - side) / 2);
  }
  return width >= height ? { x: offset, y: 0, width: side, height: side } : { x: 0, y: offset, width: side, height: side };
}
