import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { FileResult, ModelInfo, Prediction } from '../../../common/contract/classify.ts';
import type { ErrorInfo } from '../../../common/errors.ts';
import { thresholdOf } from '../../../common/defaults.ts';
import type { Producer } from '../../domain/dicom-net/derived-common.ts';
import { buildHeatmapSc, SECONDARY_CAPTURE_IMAGE_STORAGE, scInstanceUid } from '../../domain/dicom-net/sc-builder.ts';
import { readSourceHeaderFile, type SourceImage } from '../../domain/dicom-net/source-header.ts';
import { buildRefusalSr, buildTriageSr, type DerivedObject } from '../../domain/dicom-net/sr-builder.ts';
import type { DicomNodeRecords, InstanceRow, OutboxEntry, TriageOutcome } from '../../domain/store/dicom-node-records.ts';
import { writeFileAtomic } from '../../shared/atomic-write.ts';
import { toErrorInfo } from '../../shared/errors.ts';
import type { AnalysisService, ModelSelection } from '../analysis/analysis-service.ts';
import { heatmapLabels, heatmapPng } from '../analysis/heatmaps.ts';

export interface TriageWorkerOptions {
  records: DicomNodeRecords;
  /** The one classify use case (in process for the CLI, the engine process in the app). */
  analysis: AnalysisService;
  model?: ModelSelection | undefined;
  /** Where SR and Secondary Capture files are written until delivered. */
  outboxDir: string;
  /** This node as the SR's observer device. */
  device: { uid: string; name: string };
  /** Destinations ('dimse:…', 'stow:…') each result goes to; empty: results stay here. */
  destinations(instance: InstanceRow): string[];
  /** Send an SR for images stored but not assessed. */
  reportRefusals: boolean;
  /** Each instance's outcome, once committed (the app's worklist, the CLI's log line). */
  onTriaged?(event: { instance: InstanceRow; result: FileResult; model: ModelInfo; outcome: TriageOutcome }): void;
  /** A problem that did not stop the worker (the model could not open: retried later). */
  onProblem?(problem: ErrorInfo): void;
  /** Outbox entries were committed. */
  onQueued?(): void;
  /**
   * Resolves once the reports of these source images had their first delivery attempt (or a bound
   * passed): heatmaps are drawn on this thread and would otherwise hold up the report's association.
   */
  reportsFirst?(sourceSopInstanceUids: string[]): Promise<void>;
  /** Images per classify call (the engine batches them). */
  batchSize?: number;
  /**
   * When the model cannot run: retry the batch every 10 s (a listener: nothing is lost, it catches
   * up once the model is back) or give up (a one-shot run: the instances stay 'received').
   */
  onModelFailure?: 'retry' | 'give-up';
}

/**
 * Triages stored instances in arrival order through AnalysisService, then writes what the node
 * sends back — a TID 1500 SR and a Secondary Capture per heatmap — and commits the result with its
 * outbox entries in one transaction: the report's ready to go, the heatmaps' 'preparing' until
 * their files are written just after (so the report does not wait for them). An instance leaves
 * 'received' only by that commit; after a crash it is triaged again, and one whose heatmaps were
 * not finished too (the SR and SC UIDs are derived from the image and the weights, so a second copy
 * is the same object to the PACS and an SR already sent is not sent again).
 */
export class TriageWorker {
  private readonly queue: InstanceRow[] = [];
  private readonly queued = new Set<number>();
  private running: Promise<void> | undefined;
  private closed = false;
  private retryTimer: NodeJS.Timeout | undefined;

  constructor(private readonly options: TriageWorkerOptions) {}

  enqueue(instances: InstanceRow[]): void {
    for (const instance of instances) {
      if (this.queued.has(instance.id)) continue;
      this.queued.add(instance.id);
      this.queue.push(instance);
    }
    this.kick();
  }

  /** Resolves when the queue is empty and nothing is being triaged. */
  async idle(): Promise<void> {
    while (this.running || (this.queue.length > 0 && !this.closed && !this.retryTimer)) {
      if (this.running) await this.running;
      else await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    await this.running;
  }

  private kick(): void {
    if (this.running || this.closed || this.retryTimer || this.queue.length === 0) return;
    this.running = this.drain().finally(() => {
      this.running = undefined;
      this.kick();
    });
  }

  private async drain(): Promise<void> {
    while (!this.closed && this.queue.length > 0) {
      const batch = this.queue.splice(0, this.options.batchSize ?? 4);
      try {
        await this.triage(batch);
        for (const instance of batch) this.queued.delete(instance.id);
      } catch (error) {
        // The model or engine could not run: nothing is lost (the instances stay 'received').
        this.options.onProblem?.(toErrorInfo(error));
        if (this.options.onModelFailure === 'give-up') {
          for (const instance of [...batch, ...this.queue.splice(0)]) this.queued.delete(instance.id);
          return;
        }
        this.queue.unshift(...batch);
        this.retryTimer = setTimeout(() => {
          this.retryTimer = undefined;
          this.kick();
        }, 10_000);
        this.retryTimer.unref?.();
        return;
      }
    }
  }

  private async triage(batch: InstanceRow[]): Promise<void> {
    const { model, results } = await this.options.analysis.classify(
      batch.map((i) => i.path),
      { cams: true, ...(this.options.model ? { model: this.options.model } : {}) },
    );
    // Every report of the batch is committed and on its way before any heatmap is drawn.
    const heatmapWork: (() => void)[] = [];
    const reported: string[] = [];
    batch.forEach((instance, i) => {
      const result = results[i]!;
      const { outcome, heatmaps } = this.commit(instance, result, model);
      this.options.onTriaged?.({ instance, result, model, outcome });
      if (heatmaps) {
        heatmapWork.push(heatmaps);
        reported.push(instance.sop_instance_uid);
      }
    });
    if (heatmapWork.length > 0) await this.options.reportsFirst?.(reported);
    for (const draw of heatmapWork) draw();
  }

  /**
   * Commits one instance's outcome with its report's outbox entries (the heatmaps' entries too, as
   * 'preparing'); returns the work that then writes the heatmaps and releases their entries.
   */
  private commit(instance: InstanceRow, result: FileResult, model: ModelInfo): { outcome: TriageOutcome; heatmaps?: () => void } {
    const producer: Producer = {
      // The precision the backend really ran (an int8 variant says int8; on a float-only fallback, fp32).
      model,
      device: this.options.device,
      createdAt: new Date(),
    };
    let outcome = outcomeOf(result, model, instance);
    const destinations = this.options.destinations(instance);
    let report: { kind: 'sr'; object: DerivedObject } | undefined;
    let source: SourceImage | undefined;
    if (destinations.length > 0 && outcome.state !== 'failed') {
      try {
        source = readSourceHeaderFile(instance.path, instance.sop_instance_uid);
        report = reportFor(source, producer, result, model, outcome, this.options.reportRefusals);
      } catch (error) {
        const info = toErrorInfo(error);
        outcome = { state: 'failed', code: info.code, message: `scored, but no report could be made: ${info.message}` };
        report = undefined;
      }
    }
    const heatmapLabelsToDraw = report && source && result.ok && outcome.state === 'triaged' ? heatmapLabels(result.prediction) : [];
    const entries: OutboxEntry[] = [];
    const entry = (kind: 'sr' | 'sc', uid: string, sopClassUid: string, studyInstanceUid: string, state: 'pending' | 'preparing'): void => {
      for (const destination of destinations) {
        entries.push({
          state,
          destination,
          kind,
          sopInstanceUid: uid,
          sopClassUid,
          studyInstanceUid,
          sourceSopInstanceUid: instance.sop_instance_uid,
          priority: kind === 'sr' ? 0 : 1,
          path: this.pathOf(uid),
        });
      }
    };
    if (report) {
      mkdirSync(this.options.outboxDir, { recursive: true });
      writeFileAtomic(this.pathOf(report.object.sopInstanceUid), report.object.bytes);
      entry('sr', report.object.sopInstanceUid, report.object.sopClassUid, report.object.studyInstanceUid, 'pending');
      for (const label of heatmapLabelsToDraw)
        entry('sc', scInstanceUid(source!, producer, label), SECONDARY_CAPTURE_IMAGE_STORAGE, report.object.studyInstanceUid, 'preparing');
    }
    this.options.records.finishTriage(instance.id, outcome, entries);
    if (entries.length > 0) this.options.onQueued?.();
    if (heatmapLabelsToDraw.length === 0 || !result.ok || !source) return { outcome };
    const prediction = result.prediction;
    const from = source;
    return {
      outcome,
      heatmaps: () => {
        const uids: string[] = [];
        try {
          const thresholds = thresholdsOf(model);
          for (const label of heatmapLabelsToDraw) {
            const sc = buildHeatmapSc(from, producer, {
              label,
              labelIndex: model.labels.indexOf(label),
              probability: prediction.probabilities[label] ?? 0,
              threshold: thresholds[label] ?? 0,
              png: heatmapPng(prediction, model, label),
            });
            writeFileAtomic(this.pathOf(sc.sopInstanceUid), sc.bytes);
            uids.push(sc.sopInstanceUid);
          }
          this.options.records.prepared(uids);
          this.options.onQueued?.();
        } catch (error) {
          const info = toErrorInfo(error);
          this.options.records.prepared(uids);
          this.options.records.unprepared(
            heatmapLabelsToDraw.map((label) => scInstanceUid(from, producer, label)).filter((uid) => !uids.includes(uid)),
            info.code,
            `the heatmap could not be made: ${info.message}`,
          );
          this.options.onProblem?.(info);
        }
      },
    };
  }

  private pathOf(sopInstanceUid: string): string {
    return join(this.options.outboxDir, `${sopInstanceUid}.dcm`);
  }
}

/** What the store keeps for a classification: scored, refused (not a chest film) or failed. */
function outcomeOf(result: FileResult, model: ModelInfo, instance: InstanceRow): TriageOutcome {
  const ids = { modelId: model.id, weightsSha256: model.sha256 };
  if (!result.ok) {
    const refused = result.error.code === 'MODALITY_NOT_SUPPORTED';
    // Name the instance, not where this node happens to keep its file.
    const message = result.error.message.replaceAll(instance.path, `instance ${instance.sop_instance_uid}`);
    return { state: refused ? 'refused' : 'failed', code: result.error.code, message, ...ids };
  }
  const p = result.prediction;
  if (p.guard.suspect) {
    return {
      state: 'refused',
      code: 'INPUT_SUSPECT',
      message: p.guard.reason ?? 'the image does not look like a frontal chest radiograph',
      ...ids,
    };
  }
  return { state: 'triaged', ...ids, probabilities: p.probabilities, flagged: p.flagged, triageScore: p.triageScore, guard: p.guard };
}

function thresholdsOf(model: ModelInfo): Record<string, number> {
  return Object.fromEntries(model.labels.map((label) => [label, thresholdOf(model.thresholds, label)]));
}

/** The SR for a scored image; a refusal SR only when asked for. */
function reportFor(
  source: SourceImage,
  producer: Producer,
  result: FileResult,
  model: ModelInfo,
  outcome: TriageOutcome,
  reportRefusals: boolean,
): { kind: 'sr'; object: DerivedObject } | undefined {
  if (outcome.state === 'refused') {
    return reportRefusals
      ? { kind: 'sr', object: buildRefusalSr(source, producer, { code: outcome.code, reason: outcome.message }) }
      : undefined;
  }
  if (outcome.state !== 'triaged' || !result.ok) return undefined;
  const prediction: Prediction = result.prediction;
  const sr = buildTriageSr(source, producer, {
    labels: model.labels,
    probabilities: prediction.probabilities,
    thresholds: thresholdsOf(model),
    flagged: prediction.flagged,
    triageScore: prediction.triageScore,
    guard: prediction.guard,
  });
  return { kind: 'sr', object: sr };
}
