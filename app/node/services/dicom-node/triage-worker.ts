import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FileResult, ModelInfo, Prediction } from '../../../common/contract/classify.ts';
import type { ErrorInfo } from '../../../common/errors.ts';
import { thresholdOf } from '../../../common/defaults.ts';
import type { Producer } from '../../domain/dicom-net/derived-common.ts';
import { buildHeatmapSc } from '../../domain/dicom-net/sc-builder.ts';
import { readSourceHeader, type SourceImage } from '../../domain/dicom-net/source-header.ts';
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
  /** Images per classify call (the engine batches them). */
  batchSize?: number;
}

/** Every result is computed with float32 weights and activations on both backends. */
const PRECISION = 'float32';

/**
 * Triages stored instances in arrival order through AnalysisService, then writes what the node
 * sends back — a TID 1500 SR and a Secondary Capture per heatmap — and commits the result with its
 * outbox entries in one transaction. An instance leaves 'received' only by that commit, so after a
 * crash it is simply triaged again (its SR and SC UIDs are derived from the image and weights, so a
 * second copy is the same object to the PACS).
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
    while (this.running || (this.queue.length > 0 && !this.closed)) {
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
    if (this.running || this.closed || this.queue.length === 0) return;
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
        // The model or engine could not run: nothing is lost (the instances stay 'received'); try again later.
        this.options.onProblem?.(toErrorInfo(error));
        this.queue.unshift(...batch);
        this.retryTimer = setTimeout(() => this.kick(), 10_000);
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
    batch.forEach((instance, i) => {
      const result = results[i]!;
      const outcome = this.commit(instance, result, model);
      this.options.onTriaged?.({ instance, result, model, outcome });
    });
  }

  /** Builds what goes back for one instance and commits it; returns the stored outcome. */
  private commit(instance: InstanceRow, result: FileResult, model: ModelInfo): TriageOutcome {
    const producer: Producer = {
      model: { ...model, precision: PRECISION },
      device: this.options.device,
      createdAt: new Date(),
    };
    let outcome = outcomeOf(result, model, instance);
    let objects: { kind: 'sr' | 'sc'; object: DerivedObject }[] = [];
    const destinations = this.options.destinations(instance);
    if (destinations.length > 0 && outcome.state !== 'failed') {
      try {
        const source = readSourceHeader(readFileSync(instance.path), instance.sop_instance_uid);
        objects = derivedObjects(source, producer, result, model, outcome, this.options.reportRefusals);
      } catch (error) {
        const info = toErrorInfo(error);
        outcome = { state: 'failed', code: info.code, message: `scored, but no report could be made: ${info.message}` };
        objects = [];
      }
    }
    const entries: OutboxEntry[] = [];
    if (objects.length > 0) {
      mkdirSync(this.options.outboxDir, { recursive: true });
      for (const { kind, object } of objects) {
        const path = join(this.options.outboxDir, `${object.sopInstanceUid}.dcm`);
        writeFileAtomic(path, object.bytes);
        for (const destination of destinations) {
          entries.push({
            destination,
            kind,
            sopInstanceUid: object.sopInstanceUid,
            sopClassUid: object.sopClassUid,
            studyInstanceUid: object.studyInstanceUid,
            sourceSopInstanceUid: instance.sop_instance_uid,
            priority: kind === 'sr' ? 0 : 1,
            path,
          });
        }
      }
    }
    this.options.records.finishTriage(instance.id, outcome, entries);
    if (entries.length > 0) this.options.onQueued?.();
    return outcome;
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

/** The SR (and a Secondary Capture per heatmap) for a scored image; a refusal SR only when asked for. */
function derivedObjects(
  source: SourceImage,
  producer: Producer,
  result: FileResult,
  model: ModelInfo,
  outcome: TriageOutcome,
  reportRefusals: boolean,
): { kind: 'sr' | 'sc'; object: DerivedObject }[] {
  if (outcome.state === 'refused') {
    return reportRefusals
      ? [{ kind: 'sr', object: buildRefusalSr(source, producer, { code: outcome.code, reason: outcome.message }) }]
      : [];
  }
  if (outcome.state !== 'triaged' || !result.ok) return [];
  const prediction: Prediction = result.prediction;
  const thresholds = Object.fromEntries(model.labels.map((label) => [label, thresholdOf(model.thresholds, label)]));
  const sr = buildTriageSr(source, producer, {
    labels: model.labels,
    probabilities: prediction.probabilities,
    thresholds,
    flagged: prediction.flagged,
    triageScore: prediction.triageScore,
    guard: prediction.guard,
  });
  const scs = heatmapLabels(prediction).map((label) => ({
    kind: 'sc' as const,
    object: buildHeatmapSc(source, producer, {
      label,
      labelIndex: model.labels.indexOf(label),
      probability: prediction.probabilities[label] ?? 0,
      threshold: thresholds[label] ?? 0,
      png: heatmapPng(prediction, model.labels, label),
    }),
  }));
  return [{ kind: 'sr', object: sr }, ...scs];
}
