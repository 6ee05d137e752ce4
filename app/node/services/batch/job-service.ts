import type { ApiEvent } from '../../../common/contract/api.ts';
import { JOB_PROGRESS_CHANNEL, type JobProgress, type JobSummary, type RankRule } from '../../../common/contract/batch.ts';
import type { BackendChoice, ModelInfo } from '../../../common/contract/classify.ts';
import { DEFAULT_RANK_RULE } from '../../../common/defaults.ts';
import type { StudyClassifier } from '../../domain/batch/classifier.ts';
import { jobModelFor } from '../../domain/batch/job-model.ts';
import { loadReportData, type ReportData } from '../../domain/batch/report/report-data.ts';
import { renderJson } from '../../domain/batch/report/json.ts';
import { describeOtherFiles, type OtherFile, otherFiles } from '../../domain/batch/report/other-files.ts';
import { type WrittenReports, writeReports } from '../../domain/batch/report/write-reports.ts';
import { runJob } from '../../domain/batch/run-job.ts';
import { findOrCreateJob } from '../../domain/batch/start-job.ts';
import { rankedStudies } from '../../domain/batch/study-rows.ts';
import type { JobModelInfo } from '../../domain/store/job-records.ts';
import { StudyStore } from '../../domain/store/study-store.ts';
import { DenseRayError } from '../../shared/errors.ts';
import { createLocalAnalysis } from '../analysis/local-analysis.ts';

/** The report format a path asks for (.csv, .json, .html), or INVALID_ARGUMENT. */
export { reportFormatOf } from '../../domain/batch/report/write-reports.ts';
export type { OtherFile, WrittenReports };
/** The other files as lines of text (`jobs show`, `batch`). */
export { describeOtherFiles };

export interface JobServiceOptions {
  dataDir: string;
  /** Check the store's integrity on open (quick_check), so nothing reads as done from rows it could not read. */
  verifyStore?: boolean;
  emit?(event: ApiEvent): void;
  /** How a job gets its model; default: the classify use case with the engine in this process. */
  openClassifier?: (model: JobModelInfo, options: ClassifierOptions) => Promise<StudyClassifier>;
}

export interface ClassifierOptions {
  workers?: number | undefined;
  backend?: BackendChoice | undefined;
}

export interface ForegroundRun extends ClassifierOptions {
  /** New or repeated folders; empty with `resume` to continue a job. */
  roots: string[];
  modelId?: string | undefined;
  /** Continue without walking the folders again: job `jobId`, or the newest resumable job. */
  resume?: boolean;
  jobId?: number | undefined;
  signal?: AbortSignal;
  onModel?: (model: ModelInfo) => void;
  onStudy?: (ok: boolean) => void;
  onProgress?: (progress: JobProgress) => void;
}

/**
 * The batch use cases. The CLI runs a job in the foreground (`run`); the app queues jobs in the
 * jobs process (`start`, `resume`), one classifying at a time (the engine already uses every core).
 * Pause and cancel reach a job run by this process directly and one run by another process (a CLI
 * batch) through the store. Every job classifies through the same AnalysisService as the CLI's
 * `classify` and the app's viewer.
 */
export class JobService {
  private store: StudyStore | undefined;
  private readonly waiting: { jobId: number; options: ClassifierOptions }[] = [];
  private running: { jobId: number; controller: AbortController } | undefined;
  private loop: Promise<void> | undefined;

  constructor(private readonly options: JobServiceOptions) {}

  /** Runs (or resumes) a job to its end in this call; returns its final summary. */
  async run(request: ForegroundRun): Promise<JobSummary> {
    const store = this.db();
    const { jobId, rescan } = this.pick(store, request);
    return runJob(store, jobId, {
      rescan,
      ...(request.signal ? { signal: request.signal } : {}),
      openClassifier: async (model) => {
        const classifier = await this.classifier(model, request);
        request.onModel?.(classifier.model);
        return classifier;
      },
      ...(request.onStudy ? { onStudy: request.onStudy } : {}),
      ...(request.onProgress ? { onProgress: request.onProgress } : {}),
    });
  }

  start(request: { roots: string[]; modelId?: string | undefined; workers?: number | undefined }): JobSummary {
    const store = this.db();
    const { job } = findOrCreateJob(store, request.roots, jobModelFor(this.options.dataDir, request.modelId));
    return this.enqueue(job.id, { workers: request.workers });
  }

  resume(jobId: number): JobSummary {
    const summary = this.summary(jobId);
    if (summary.state === 'cancelled')
      throw new DenseRayError('INVALID_ARGUMENT', `job ${jobId} was cancelled; start a new one over the same folders`);
    return this.enqueue(jobId, {});
  }

  pause(jobId: number): JobSummary {
    return this.stop(jobId, 'pause');
  }

  cancel(jobId: number): JobSummary {
    return this.stop(jobId, 'cancel');
  }

  list(): JobSummary[] {
    const store = this.db();
    return store.jobs.list().map((job) => store.jobs.summary(job));
  }

  summary(jobId: number): JobSummary {
    const store = this.db();
    return store.jobs.summary(store.jobs.get(jobId));
  }

  get(request: { jobId: number; offset: number; limit: number; rank: RankRule }) {
    const rows = rankedStudies(this.db(), request.jobId, request.rank);
    return {
      job: this.summary(request.jobId),
      rows: rows.slice(request.offset, request.offset + request.limit).map(({ resultId: _resultId, ...row }) => row),
      totalRows: rows.length,
    };
  }

  /** The job's worklist and model, read from the store (no model run): what every report shows. */
  reportData(jobId: number, rank: RankRule = DEFAULT_RANK_RULE): ReportData {
    return loadReportData(this.db(), jobId, rank);
  }

  /** The job's files no study row shows: copies of another file's image and skipped files, with why. */
  otherFiles(jobId: number): OtherFile[] {
    const store = this.db();
    return otherFiles(store, jobId, store.jobs.get(jobId).model_key);
  }

  /** The JSON report, as `--out report.json` writes it. */
  reportJson(jobId: number, rank: RankRule = DEFAULT_RANK_RULE): string {
    return renderJson(this.reportData(jobId, rank));
  }

  /** Writes CSV/JSON/HTML reports and heatmap PNGs from the store. */
  writeReports(jobId: number, options: { out: string[]; heatmapsDir?: string | undefined; rank?: RankRule }): WrittenReports {
    return writeReports(this.db(), jobId, {
      out: options.out,
      rank: options.rank ?? DEFAULT_RANK_RULE,
      ...(options.heatmapsDir ? { heatmapsDir: options.heatmapsDir } : {}),
    });
  }

  report(request: { jobId: number; out: string; rank: RankRule }): { path: string; studies: number } {
    const written = this.writeReports(request.jobId, { out: [request.out], rank: request.rank });
    return { path: request.out, studies: written.studies };
  }

  /** Stops the running job (it pauses after its batch in flight) and closes the store. */
  async close(): Promise<void> {
    this.waiting.length = 0;
    this.running?.controller.abort();
    await this.loop;
    this.store?.close();
    this.store = undefined;
  }

  private pick(store: StudyStore, request: ForegroundRun): { jobId: number; rescan: boolean } {
    if (request.roots.length === 0) {
      const job = request.jobId !== undefined ? store.jobs.get(request.jobId) : store.jobs.latestResumable();
      if (!job) throw new DenseRayError('INVALID_ARGUMENT', 'no job to resume (see denseray jobs)');
      return { jobId: job.id, rescan: false };
    }
    const { job, created } = findOrCreateJob(store, request.roots, jobModelFor(this.options.dataDir, request.modelId));
    // Folders named again: walk them again for new files, unless asked only to resume.
    return { jobId: job.id, rescan: !created && request.resume !== true };
  }

  private classifier(model: JobModelInfo, options: ClassifierOptions): Promise<StudyClassifier> {
    return (this.options.openClassifier ?? this.localClassifier)(model, options);
  }

  private readonly localClassifier = async (model: JobModelInfo, options: ClassifierOptions): Promise<StudyClassifier> => {
    const analysis = createLocalAnalysis(this.options.dataDir);
    const selection = { modelId: model.id, backend: options.backend, threads: options.workers };
    try {
      const info = await analysis.open(selection);
      return {
        model: info,
        classify: async (files, run) => {
          await analysis.classify(files, { model: selection, cams: true, signal: run.signal, onResult: run.onResult });
        },
        close: async () => analysis.close(),
      };
    } catch (error) {
      analysis.close();
      throw error;
    }
  };

  private enqueue(jobId: number, options: ClassifierOptions): JobSummary {
    const store = this.db();
    const summary = store.jobs.summary(store.jobs.get(jobId));
    const busy = summary.state === 'running' || summary.state === 'importing';
    if (busy && this.running?.jobId !== jobId) throw new DenseRayError('INVALID_ARGUMENT', `job ${jobId} is being run by another process`);
    if (this.running?.jobId !== jobId && !this.waiting.some((w) => w.jobId === jobId)) {
      this.waiting.push({ jobId, options });
      if (summary.state !== 'done') store.jobs.setState(jobId, 'queued');
      this.loop ??= this.drain().finally(() => {
        this.loop = undefined;
      });
    }
    return this.summary(jobId);
  }

  private async drain(): Promise<void> {
    for (let next = this.waiting.shift(); next; next = this.waiting.shift()) {
      const controller = new AbortController();
      this.running = { jobId: next.jobId, controller };
      const options = next.options;
      try {
        await runJob(this.db(), next.jobId, {
          signal: controller.signal,
          rescan: true,
          openClassifier: (model) => this.classifier(model, options),
          onProgress: (payload) => this.options.emit?.({ channel: JOB_PROGRESS_CHANNEL, payload }),
        });
      } catch {
        // runJob records its own failures in the store; a refused claim leaves the job as it was.
      } finally {
        this.running = undefined;
      }
    }
  }

  private stop(jobId: number, control: 'pause' | 'cancel'): JobSummary {
    const store = this.db();
    const summary = store.jobs.summary(store.jobs.get(jobId));
    const queued = this.waiting.findIndex((w) => w.jobId === jobId);
    if (queued >= 0) this.waiting.splice(queued, 1);
    if (this.running?.jobId === jobId || summary.state === 'running' || summary.state === 'importing') {
      // The runner (here or in another process) reads this after its next commit.
      store.jobs.requestControl(jobId, control);
      if (this.running?.jobId === jobId) this.running.controller.abort();
    } else if (summary.state !== 'done' && summary.state !== 'cancelled') {
      store.jobs.setState(jobId, control === 'pause' ? 'paused' : 'cancelled');
    }
    const after = this.summary(jobId);
    this.options.emit?.({
      channel: JOB_PROGRESS_CHANNEL,
      payload: { jobId, state: after.state, phase: 'idle', counts: after.counts, rate: 0, etaSeconds: null },
    });
    return after;
  }

  private db(): StudyStore {
    return (this.store ??= StudyStore.open(this.options.dataDir, { verify: this.options.verifyStore === true }));
  }
}
