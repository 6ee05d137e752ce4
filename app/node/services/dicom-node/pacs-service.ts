import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { ModelInfo } from '../../../common/contract/classify.ts';
import type { ErrorInfo } from '../../../common/errors.ts';
import type { PacsQuery, PacsStudy, PacsTriageResult, TriagedInstance } from '../../../common/contract/dicom-node.ts';
import { stowDestination, transportFor } from '../../domain/dicom-net/destinations.ts';
import { DicomWebClient, type DicomJsonDataset, jsonText, jsonTexts, TAG } from '../../domain/dicom-net/dicomweb.ts';
import { Outbox, type RetryPolicy } from '../../domain/dicom-net/outbox.ts';
import { derivedUid } from '../../domain/dicom-net/uid.ts';
import { DicomNodeRecords, type InstanceRow } from '../../domain/store/dicom-node-records.ts';
import { StudyStore } from '../../domain/store/study-store.ts';
import { sha256Hex } from '../../shared/hash.ts';
import { DenseRayError, toErrorInfo } from '../../shared/errors.ts';
import type { AnalysisService, ModelSelection } from '../analysis/analysis-service.ts';
import type { NodeEvent } from './dicom-node-service.ts';
import { ingest } from './ingest.ts';
import { nodeFiles } from './node-files.ts';
import { TriageWorker } from './triage-worker.ts';

export interface PacsServiceOptions {
  dataDir: string;
  analysis: AnalysisService;
  model?: ModelSelection | undefined;
  retry?: RetryPolicy | undefined;
  /** Progress, in the listener's event vocabulary. */
  onEvent?(event: NodeEvent | { kind: 'retrieved'; sopInstanceUid: string; bytes: number }): void;
}

const DEVICE_NAME = 'DENSERAY';

/**
 * The DICOMweb pull: QIDO-RS finds the studies, WADO-RS retrieves their instances of the asked
 * modalities, each is stored and triaged exactly like a C-STORE (once per SOP Instance UID), and —
 * only when asked — the SR and heatmaps go back by STOW-RS through the same outbox.
 */
export class PacsService {
  constructor(private readonly options: PacsServiceOptions) {}

  async search(query: PacsQuery): Promise<PacsStudy[]> {
    const client = new DicomWebClient(query.url);
    const byUid = new Map<string, PacsStudy>();
    for (const modality of query.modalities) {
      const params: Record<string, string> = {
        ModalitiesInStudy: modality,
        limit: String(query.limit),
        includefield: [TAG.studyDescription, TAG.modalitiesInStudy, TAG.numberOfStudyRelatedInstances].join(','),
      };
      if (query.since) params.StudyDate = `${query.since}-`;
      if (query.patientId) params.PatientID = query.patientId;
      for (const study of await client.searchStudies(params)) {
        const summary = studyOf(study);
        if (summary && !byUid.has(summary.studyInstanceUid)) byUid.set(summary.studyInstanceUid, summary);
      }
    }
    return [...byUid.values()].slice(0, query.limit);
  }

  /** Searches, retrieves, triages; with `sendBack`, STOWs the results and waits up to `deliverWithinMs` for them to go. */
  async triage(request: PacsQuery & { sendBack: boolean }, options: { deliverWithinMs?: number } = {}): Promise<PacsTriageResult> {
    const studies = await this.search(request);
    const client = new DicomWebClient(request.url);
    const files = nodeFiles(this.options.dataDir);
    const store = StudyStore.open(this.options.dataDir);
    const records = new DicomNodeRecords(store.db);
    const destination = stowDestination(client.url);
    const outbox = new Outbox({
      records,
      transportFor: (d) => transportFor(d, { callingAeTitle: DEVICE_NAME }),
      destinationPrefix: 'stow:',
      ...(this.options.retry ? { retry: this.options.retry } : {}),
      onDelivery: (entry, outcome, nextAttemptAt) => this.options.onEvent?.({ kind: 'delivery', entry, outcome, nextAttemptAt }),
    });
    const results = new Map<string, TriagedInstance>();
    let model: ModelInfo | null = null;
    let modelProblem: ErrorInfo | undefined;
    const worker = new TriageWorker({
      records,
      analysis: this.options.analysis,
      model: this.options.model,
      outboxDir: files.outbox,
      device: { uid: derivedUid('device', hostname(), this.options.dataDir, DEVICE_NAME), name: DEVICE_NAME },
      destinations: () => (request.sendBack ? [destination] : []),
      reportRefusals: false,
      onModelFailure: 'give-up',
      onProblem: (problem) => {
        modelProblem ??= problem;
        this.options.onEvent?.({ kind: 'problem', problem: { at: new Date().toISOString(), ...problem } });
      },
      onTriaged: (event) => {
        model = event.model;
        const o = event.outcome;
        results.set(event.instance.sop_instance_uid, {
          sopInstanceUid: event.instance.sop_instance_uid,
          studyInstanceUid: event.instance.study_instance_uid,
          state: o.state,
          code: o.state === 'triaged' ? null : o.code,
          message: o.state === 'triaged' ? null : o.message,
          triageScore: o.state === 'triaged' ? o.triageScore : null,
          flagged: o.state === 'triaged' ? o.flagged : [],
        });
        this.options.onEvent?.({ kind: 'triaged', instance: event.instance, outcome: o, result: event.result, model: event.model });
      },
      onQueued: () => outbox.wake(),
    });
    const mine: string[] = [];
    try {
      records.recoverUnprepared();
      mkdirSync(files.retrieving, { recursive: true });
      for (const study of studies) {
        for (const instance of await this.instancesOf(client, study.studyInstanceUid, request.modalities)) {
          const known = records.instance(instance.sop);
          if (known) {
            mine.push(known.sop_instance_uid);
            // Triaged before without sending back (or not yet triaged): triage it now; its SR keeps its UID.
            const unsent =
              request.sendBack &&
              known.state === 'triaged' &&
              !records.outboxFor([known.sop_instance_uid]).some((e) => e.destination === destination);
            if (known.state === 'received' || unsent) worker.enqueue([known]);
            else results.set(known.sop_instance_uid, previously(known));
            continue;
          }
          const stored = await this.retrieve(client, records, files, instance);
          if (!stored) continue;
          mine.push(stored.sop_instance_uid);
          if (stored.state === 'received') worker.enqueue([stored]);
          else results.set(stored.sop_instance_uid, previously(stored));
        }
      }
      await worker.idle();
      // The model could not run: say so (the retrieved images stay stored, triaged by the next run).
      if (modelProblem && results.size === 0 && mine.length > 0) throw new DenseRayError(modelProblem.code, modelProblem.message);
      outbox.wake();
      if (request.sendBack) await waitForDelivery(records, mine, outbox, options.deliverWithinMs ?? 60_000);
      const entries = records.outboxFor(mine).filter((e) => e.destination === destination);
      return {
        studies: studies.length,
        instances: mine.map((sop) => results.get(sop) ?? waiting(sop)),
        model,
        sent: entries.filter((e) => e.state === 'sent').length,
        pending: entries.filter((e) => e.state === 'pending' || e.state === 'preparing').length,
      };
    } finally {
      await worker.close();
      await outbox.close();
      store.close();
    }
  }

  /** The instances of a study in series of the asked modalities. */
  private async instancesOf(
    client: DicomWebClient,
    studyUid: string,
    modalities: string[],
  ): Promise<{ study: string; series: string; sop: string; sopClass: string }[]> {
    const found: { study: string; series: string; sop: string; sopClass: string }[] = [];
    for (const series of await client.searchSeries(studyUid, { includefield: TAG.modality })) {
      const seriesUid = jsonText(series, TAG.seriesInstanceUid);
      const modality = jsonText(series, TAG.modality);
      if (!seriesUid || (modality && !modalities.includes(modality))) continue;
      for (const instance of await client.searchInstances(studyUid, seriesUid)) {
        const sop = jsonText(instance, TAG.sopInstanceUid);
        if (sop) found.push({ study: studyUid, series: seriesUid, sop, sopClass: jsonText(instance, TAG.sopClassUid) ?? '' });
      }
    }
    return found;
  }

  private async retrieve(
    client: DicomWebClient,
    records: DicomNodeRecords,
    files: ReturnType<typeof nodeFiles>,
    instance: { study: string; series: string; sop: string; sopClass: string },
  ): Promise<InstanceRow | undefined> {
    let bytes: Uint8Array;
    try {
      bytes = await client.retrieveInstance(instance.study, instance.series, instance.sop);
    } catch (error) {
      const info = toErrorInfo(error);
      records.log({
        direction: 'retrieve',
        peer: client.url,
        what: 'image',
        sopInstanceUid: instance.sop,
        studyInstanceUid: instance.study,
        outcome: 'failed',
        code: info.code,
        message: info.message,
      });
      this.options.onEvent?.({
        kind: 'problem',
        problem: { at: new Date().toISOString(), code: info.code, message: `${instance.sop}: ${info.message}` },
      });
      return undefined;
    }
    this.options.onEvent?.({ kind: 'retrieved', sopInstanceUid: instance.sop, bytes: bytes.length });
    const tempPath = join(files.retrieving, `${Date.now()}-${randomBytes(6).toString('hex')}.part`);
    try {
      writeFileSync(tempPath, bytes);
      const result = ingest(records, files, {
        tempPath,
        size: bytes.length,
        sha256: sha256Hex(bytes),
        sopClassUid: instance.sopClass,
        sopInstanceUid: instance.sop,
        direction: 'retrieve',
        peer: client.url,
      });
      return result.kind === 'duplicate' ? result.first : result.instance;
    } finally {
      rmSync(tempPath, { force: true });
    }
  }
}

function studyOf(dataset: DicomJsonDataset): PacsStudy | undefined {
  const studyInstanceUid = jsonText(dataset, TAG.studyInstanceUid);
  if (!studyInstanceUid) return undefined;
  const optional = (key: keyof PacsStudy, tag: string) => {
    const value = jsonText(dataset, tag);
    return value ? { [key]: value } : {};
  };
  const count = Number(jsonText(dataset, TAG.numberOfStudyRelatedInstances));
  return {
    studyInstanceUid,
    ...optional('patientId', TAG.patientId),
    ...optional('patientName', TAG.patientName),
    ...optional('studyDate', TAG.studyDate),
    ...optional('accessionNumber', TAG.accessionNumber),
    ...optional('description', TAG.studyDescription),
    modalities: jsonTexts(dataset, TAG.modalitiesInStudy),
    ...(Number.isInteger(count) && count > 0 ? { instances: count } : {}),
  };
}

/** An instance this node already had: its stored outcome (not triaged again). */
function previously(row: InstanceRow): TriagedInstance {
  const flagged = row.flagged_json ? (JSON.parse(row.flagged_json) as unknown) : [];
  return {
    sopInstanceUid: row.sop_instance_uid,
    studyInstanceUid: row.study_instance_uid,
    state: row.state === 'received' ? 'waiting' : row.state,
    code: row.error_code,
    message: row.error_message,
    triageScore: row.triage_score,
    flagged: Array.isArray(flagged) ? flagged.filter((f): f is string => typeof f === 'string') : [],
  };
}

function waiting(sop: string): TriagedInstance {
  return { sopInstanceUid: sop, studyInstanceUid: null, state: 'waiting', code: null, message: null, triageScore: null, flagged: [] };
}

/** Waits until nothing for these sources is pending, or the deadline passes (then they stay pending, retried by the next run). */
async function waitForDelivery(records: DicomNodeRecords, sources: string[], outbox: Outbox, withinMs: number): Promise<void> {
  const deadline = Date.now() + withinMs;
  while (Date.now() < deadline) {
    await outbox.idle();
    if (!records.outboxFor(sources).some((e) => e.state === 'pending' || e.state === 'preparing')) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
