import { hostname } from 'node:os';
import type { FileResult, ModelInfo } from '../../../common/contract/classify.ts';
import {
  type ListenerSettings,
  type ListenerSettingsInput,
  ListenerSettings as ListenerSettingsSchema,
  type ListenerStatus,
  type NodeProblem,
} from '../../../common/contract/dicom-node.ts';
import type { ErrorInfo } from '../../../common/errors.ts';
import { dimseDestination, transportFor } from '../../domain/dicom-net/destinations.ts';
import { DimseListener, type IncomingInstance, type ListenerEvent, type StoreAnswer } from '../../domain/dicom-net/dimse-listener.ts';
import { STORE_STATUS } from '../../domain/dicom-net/dimse.ts';
import { Outbox, type DeliveryOutcome, type RetryPolicy } from '../../domain/dicom-net/outbox.ts';
import { derivedUid } from '../../domain/dicom-net/uid.ts';
import { DicomNodeRecords, type InstanceRow, type OutboxRow, type TriageOutcome } from '../../domain/store/dicom-node-records.ts';
import { StudyStore } from '../../domain/store/study-store.ts';
import { toErrorInfo } from '../../shared/errors.ts';
import type { AnalysisService, ModelSelection } from '../analysis/analysis-service.ts';
import { ingest } from './ingest.ts';
import { nodeFiles } from './node-files.ts';
import { TriageWorker } from './triage-worker.ts';

/** What the node did, as it happens: the CLI prints it, the app turns it into status and worklist events. */
export type NodeEvent =
  | { kind: 'listening'; aeTitle: string; port: number }
  | { kind: 'association'; outcome: 'accepted' | 'rejected' | 'dropped'; peer: string; message?: string }
  | { kind: 'echo'; peer: string }
  | {
      kind: 'received';
      outcome: 'stored' | 'duplicate' | 'unreadable' | 'not-stored';
      peer: string;
      sopInstanceUid: string;
      message?: string;
    }
  | { kind: 'triaged'; instance: InstanceRow; outcome: TriageOutcome; result: FileResult; model: ModelInfo }
  | { kind: 'delivery'; entry: OutboxRow; outcome: DeliveryOutcome; nextAttemptAt: number | null }
  | { kind: 'problem'; problem: NodeProblem };

export interface DicomNodeServiceOptions {
  dataDir: string;
  /** The one classify use case: in process for `denseray listen`, the engine process in the app. */
  analysis: AnalysisService;
  model?: ModelSelection | undefined;
  retry?: RetryPolicy | undefined;
  /** An association idle this long is aborted (default 60 s). */
  idleTimeoutMs?: number | undefined;
  onEvent?(event: NodeEvent): void;
}

const MAX_PROBLEMS = 20;
/** How long heatmaps wait for their report's first delivery attempt (a slow or silent peer must not hold them up for long). */
const REPORT_FIRST_WAIT_MS = 3_000;

/**
 * The listen use case: a C-ECHO/C-STORE SCP whose received instances are stored (once per SOP
 * Instance UID), triaged through AnalysisService, and whose results go back to the configured
 * destination as SR and heatmap Secondary Captures through the outbox. Nothing is sent unless a
 * destination is configured. Every association, instance and send is logged in the study store.
 */
export class DicomNodeService {
  private settings: ListenerSettings | undefined;
  private store: StudyStore | undefined;
  private records: DicomNodeRecords | undefined;
  private listener: DimseListener | undefined;
  private worker: TriageWorker | undefined;
  private outbox: Outbox | undefined;
  private state: ListenerStatus['state'] = 'stopped';
  private startedAt: Date | undefined;
  private readonly problems: NodeProblem[] = [];
  private lastCounts: ListenerStatus['counts'] | undefined;
  /** Source SOP Instance UID → wakes the triage worker once that image's report had its first delivery attempt. */
  private readonly reportAttempted = new Map<string, () => void>();

  constructor(private readonly options: DicomNodeServiceOptions) {}

  /** Resolves when each source's report was attempted (stored, retried or refused), or after `boundMs`. */
  private reportsAttempted(sources: string[], boundMs: number): Promise<void> {
    const waits = sources.map(
      (sop) =>
        new Promise<void>((resolve) => {
          const timer = setTimeout(done, boundMs);
          function done(): void {
            clearTimeout(timer);
            resolve();
          }
          this.reportAttempted.set(sop, () => {
            this.reportAttempted.delete(sop);
            done();
          });
        }),
    );
    return Promise.all(waits).then(() => {
      for (const sop of sources) this.reportAttempted.delete(sop);
    });
  }

  async start(input: ListenerSettingsInput): Promise<ListenerStatus> {
    if (this.listener) await this.stop();
    const settings = ListenerSettingsSchema.parse(input);
    this.settings = settings;
    const files = nodeFiles(this.options.dataDir);
    const store = StudyStore.open(this.options.dataDir);
    const records = new DicomNodeRecords(store.db);
    this.store = store;
    this.records = records;
    const destinations = settings.sendTo ? [dimseDestination(settings.sendTo)] : [];
    this.outbox = new Outbox({
      records,
      transportFor: (destination) => transportFor(destination, { callingAeTitle: settings.aeTitle }),
      ...(this.options.retry ? { retry: this.options.retry } : {}),
      onDelivery: (entry, outcome, nextAttemptAt) => {
        if (outcome.result !== 'stored')
          this.problem({
            code: outcome.result === 'refused' ? 'PEER_REFUSED' : 'PEER_UNREACHABLE',
            message: `${entry.kind} ${entry.sop_instance_uid}: ${outcome.message}`,
          });
        this.emit({ kind: 'delivery', entry, outcome, nextAttemptAt });
        if (entry.kind === 'sr') this.reportAttempted.get(entry.source_sop_instance_uid)?.();
      },
    });
    this.worker = new TriageWorker({
      records,
      analysis: this.options.analysis,
      model: this.options.model,
      outboxDir: files.outbox,
      device: { uid: derivedUid('device', hostname(), this.options.dataDir, settings.aeTitle), name: settings.aeTitle },
      destinations: () => destinations,
      reportRefusals: settings.reportRefusals,
      onTriaged: ({ instance, result, model, outcome }) => this.emit({ kind: 'triaged', instance, outcome, result, model }),
      onProblem: (problem) => this.problem(problem),
      onQueued: () => this.outbox?.wake(),
      reportsFirst: (sources) => this.reportsAttempted(sources, REPORT_FIRST_WAIT_MS),
    });
    const allowed = new Set(settings.allow);
    this.listener = new DimseListener({
      aeTitle: settings.aeTitle,
      port: settings.port,
      host: settings.host,
      incomingDir: files.incoming,
      admits: (callingAe) => settings.allowAny || allowed.has(callingAe),
      onInstance: (incoming) => this.onInstance(incoming),
      onEvent: (event) => this.onListenerEvent(event),
      ...(this.options.idleTimeoutMs ? { idleTimeoutMs: this.options.idleTimeoutMs } : {}),
    });
    try {
      await this.listener.start();
    } catch (error) {
      const info = toErrorInfo(error);
      this.problem(info);
      this.state = 'failed';
      await this.teardown();
      throw error;
    }
    this.state = 'listening';
    this.startedAt = new Date();
    this.emit({ kind: 'listening', aeTitle: settings.aeTitle, port: this.listener.port });
    // Whatever a previous run stored but did not triage (or left without its heatmaps), and every result not yet delivered.
    records.recoverUnprepared();
    this.worker.enqueue(records.waitingForTriage());
    this.outbox.wake();
    return this.status();
  }

  /** Stops accepting associations, finishes the triage in progress, stops sending; everything pending stays in the store. */
  async stop(): Promise<ListenerStatus> {
    await this.listener?.close();
    // Stopping: heatmaps waiting on their report's first attempt are drawn now (the outbox sends them on the next start).
    for (const wake of [...this.reportAttempted.values()]) wake();
    await this.worker?.close();
    await this.outbox?.close();
    // Counted before the store closes, so the last status says what this run left behind.
    this.lastCounts = this.records?.counts() ?? this.lastCounts;
    await this.teardown();
    this.state = 'stopped';
    return this.status();
  }

  status(): ListenerStatus {
    let counts: ListenerStatus['counts'];
    try {
      counts = this.records?.counts() ?? this.lastCounts ?? emptyCounts();
    } catch {
      counts = emptyCounts();
    }
    return {
      state: this.state,
      settings: this.settings ?? null,
      port: this.state === 'listening' ? (this.listener?.port ?? null) : null,
      startedAt: this.startedAt?.toISOString() ?? null,
      counts,
      problems: [...this.problems],
    };
  }

  /** Resolves when every stored instance is triaged and nothing is being sent right now (tests, benches). */
  async settle(): Promise<void> {
    await this.worker?.idle();
    await this.outbox?.idle();
  }

  private async teardown(): Promise<void> {
    await this.listener?.close();
    // Stopping: heatmaps waiting on their report's first attempt are drawn now (the outbox sends them on the next start).
    for (const wake of [...this.reportAttempted.values()]) wake();
    await this.worker?.close();
    await this.outbox?.close();
    this.store?.close();
    this.listener = undefined;
    this.worker = undefined;
    this.outbox = undefined;
    this.store = undefined;
    this.records = undefined;
  }

  private async onInstance(incoming: IncomingInstance): Promise<StoreAnswer> {
    const peer = `${incoming.peer.callingAe}@${incoming.peer.address}`;
    const records = this.records;
    const refuse = (info: ErrorInfo, status: number): StoreAnswer => {
      this.problem({ code: info.code, message: `${incoming.sopInstanceUid} from ${peer}: ${info.message}` });
      try {
        records?.log({
          direction: 'receive',
          peer,
          what: 'image',
          sopInstanceUid: incoming.sopInstanceUid,
          outcome: 'failed',
          code: info.code,
          message: info.message,
        });
      } catch {
        // the store cannot be written either (the same full disk); the problem list still says why
      }
      this.emit({
        kind: 'received',
        outcome: 'not-stored',
        peer,
        sopInstanceUid: incoming.sopInstanceUid,
        message: `${info.code}: ${info.message}`,
      });
      return { status, comment: `${info.code}: ${info.message}` };
    };
    if (!records) return refuse({ code: 'INTERNAL', message: 'the node is stopping' }, STORE_STATUS.outOfResources);
    if (incoming.error) return refuse(incoming.error, STORE_STATUS.outOfResources);
    try {
      const result = ingest(records, nodeFiles(this.options.dataDir), {
        tempPath: incoming.tempPath,
        size: incoming.size,
        sha256: incoming.sha256,
        sopClassUid: incoming.sopClassUid,
        sopInstanceUid: incoming.sopInstanceUid,
        direction: 'receive',
        peer,
      });
      if (result.kind === 'new') {
        this.emit({ kind: 'received', outcome: 'stored', peer, sopInstanceUid: result.instance.sop_instance_uid });
        this.worker?.enqueue([result.instance]);
        return { status: STORE_STATUS.success };
      }
      if (result.kind === 'duplicate') {
        this.emit({
          kind: 'received',
          outcome: 'duplicate',
          peer,
          sopInstanceUid: result.first.sop_instance_uid,
          message: `first received from ${result.first.origin}`,
        });
        return { status: STORE_STATUS.success };
      }
      this.problem({ code: result.error.code, message: `${result.instance.sop_instance_uid} from ${peer}: ${result.error.message}` });
      this.emit({
        kind: 'received',
        outcome: 'unreadable',
        peer,
        sopInstanceUid: result.instance.sop_instance_uid,
        message: `${result.error.code}: ${result.error.message}`,
      });
      return { status: STORE_STATUS.cannotUnderstand, comment: `${result.error.code}: ${result.error.message}` };
    } catch (error) {
      return refuse(toErrorInfo(error), STORE_STATUS.outOfResources);
    }
  }

  private onListenerEvent(event: ListenerEvent): void {
    const peerOf = (p: { callingAe: string; address: string }) => `${p.callingAe}@${p.address}`;
    const log = (entry: Parameters<DicomNodeRecords['log']>[0]) => {
      try {
        this.records?.log(entry);
      } catch {
        // logging must not take the listener down (full disk): the problem list keeps the last ones
      }
    };
    switch (event.kind) {
      case 'association-accepted':
        this.emit({ kind: 'association', outcome: 'accepted', peer: peerOf(event.peer) });
        return;
      case 'association-rejected':
        log({
          direction: 'association',
          peer: peerOf(event.peer),
          what: 'association',
          outcome: 'refused',
          code: 'UNAUTHORIZED',
          message: event.reason,
        });
        this.problem({ code: 'UNAUTHORIZED', message: `${peerOf(event.peer)}: association rejected: ${event.reason}` });
        this.emit({ kind: 'association', outcome: 'rejected', peer: peerOf(event.peer), message: event.reason });
        return;
      case 'association-dropped': {
        const message = event.partialInstance
          ? `the sender dropped the association ${event.bytes} bytes into an instance; the partial instance was discarded`
          : 'the association ended without a release (aborted or the connection closed)';
        log({ direction: 'association', peer: peerOf(event.peer), what: 'association', outcome: 'failed', message });
        if (event.partialInstance) this.problem({ code: 'DICOM_TRUNCATED', message: `${peerOf(event.peer)}: ${message}` });
        this.emit({ kind: 'association', outcome: 'dropped', peer: peerOf(event.peer), message });
        return;
      }
      case 'echo':
        log({ direction: 'association', peer: peerOf(event.peer), what: 'echo', outcome: 'ok' });
        this.emit({ kind: 'echo', peer: peerOf(event.peer) });
        return;
      case 'network-error':
        this.problem({ code: 'PEER_UNREACHABLE', message: `network: ${event.message}` });
    }
  }

  private problem(info: ErrorInfo): void {
    const problem: NodeProblem = { at: new Date().toISOString(), code: info.code, message: info.message };
    this.problems.unshift(problem);
    this.problems.length = Math.min(this.problems.length, MAX_PROBLEMS);
    this.emit({ kind: 'problem', problem });
  }

  private emit(event: NodeEvent): void {
    try {
      this.options.onEvent?.(event);
    } catch {
      // a listener's failure to display an event is not the node's failure
    }
  }
}

function emptyCounts(): ListenerStatus['counts'] {
  return {
    received: 0,
    triaged: 0,
    refused: 0,
    failed: 0,
    waiting: 0,
    duplicates: 0,
    rejectedAssociations: 0,
    sent: 0,
    pending: 0,
    sendFailed: 0,
  };
}
