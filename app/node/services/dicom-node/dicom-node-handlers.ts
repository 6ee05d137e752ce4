import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { ApiEvent, ApiRequest, ApiResponse } from '../../../common/contract/api.ts';
import {
  DICOM_NODE_ARRIVAL_CHANNEL,
  DICOM_NODE_STATUS_CHANNEL,
  type dicomNodeApi,
  ListenerSettings,
  type NodeArrival,
  type NodeArrivalEvent,
  PacsQuery,
  PacsTriageRequest,
  TransfersRequest,
} from '../../../common/contract/dicom-node.ts';
import type { StudyResult } from '../../../common/contract/studies.ts';
import { writeFileAtomic } from '../../shared/atomic-write.ts';
import { DenseRayError } from '../../shared/errors.ts';
import type { AnalysisService } from '../analysis/analysis-service.ts';
import { viewerHeatmaps } from '../analysis/heatmaps.ts';
import type { StudiesService } from '../studies/studies-service.ts';
import { DicomNodeService, type NodeEvent } from './dicom-node-service.ts';
import { nodeFiles } from './node-files.ts';
import { PacsService } from './pacs-service.ts';
import { readTransfers } from './transfer-log.ts';

type DicomNodeMethod = keyof typeof dicomNodeApi;
export type DicomNodeHandlers = { [M in DicomNodeMethod]: (request: ApiRequest<M>) => Promise<ApiResponse<M>> };

export interface DicomNodeHostOptions {
  dataDir: string;
  emit(event: ApiEvent): void;
  /** The classify use case over the engine process (shared with the viewer). */
  analysis: () => AnalysisService;
  /** Received studies join the app's open studies, so the worklist and viewer treat them like opened files. */
  studies: () => StudiesService;
}

/** The latest arrivals, for every open UI to fetch (each holds a prediction with its maps: bounded). */
const MAX_ARRIVALS = 100;

/**
 * The DICOM node inside the app (desktop or browser mode): one listener the Settings panel starts
 * and stops, its status pushed as events, every study it triaged announced to the worklist, the
 * transfer log, and the DICOMweb pull. Settings are kept in the data folder for the next start;
 * the listener never starts by itself.
 */
export class DicomNodeHost {
  private node: DicomNodeService | undefined;
  private readonly arrivals = new Map<string, NodeArrival>();
  private statusTimer: NodeJS.Timeout | undefined;

  constructor(private readonly options: DicomNodeHostOptions) {}

  handlers(): DicomNodeHandlers {
    return {
      'dicomNode.status': async () => this.service().status(),
      'dicomNode.settings': async () => this.savedSettings(),
      'dicomNode.start': async (request) => {
        const settings = ListenerSettings.parse(request);
        const path = nodeFiles(this.options.dataDir).settings;
        mkdirSync(dirname(path), { recursive: true });
        writeFileAtomic(path, `${JSON.stringify(settings, null, 2)}\n`);
        const status = await this.service().start(settings);
        this.publishStatus();
        return status;
      },
      'dicomNode.stop': async () => {
        const status = await this.service().stop();
        this.publishStatus();
        return status;
      },
      'dicomNode.transfers': async (request) => readTransfers(this.options.dataDir, TransfersRequest.parse(request)),
      'dicomNode.arrival': async ({ id }) => {
        const arrival = this.arrivals.get(id);
        if (!arrival) throw new DenseRayError('INVALID_ARGUMENT', `no study ${id} arrived through the DICOM node`);
        return arrival;
      },
      // Parsed here too: a transport parses already (callApi), a direct caller may not have.
      'pacs.search': async (request) => this.pacs().search(PacsQuery.parse(request)),
      'pacs.triage': async (request) => this.pacs().triage(PacsTriageRequest.parse(request)),
    };
  }

  async close(): Promise<void> {
    if (this.statusTimer) clearTimeout(this.statusTimer);
    await this.node?.stop();
  }

  private service(): DicomNodeService {
    this.node ??= new DicomNodeService({
      dataDir: this.options.dataDir,
      analysis: this.options.analysis(),
      onEvent: (event) => this.onNodeEvent(event),
    });
    return this.node;
  }

  /** Studies pulled from a PACS join the worklist like received ones. */
  private pacs(): PacsService {
    return new PacsService({
      dataDir: this.options.dataDir,
      analysis: this.options.analysis(),
      onEvent: (event) => {
        if (event.kind === 'triaged') this.announce(event);
      },
    });
  }

  private savedSettings(): ListenerSettings {
    const path = nodeFiles(this.options.dataDir).settings;
    if (existsSync(path)) {
      try {
        const parsed = ListenerSettings.safeParse(JSON.parse(readFileSync(path, 'utf8')));
        if (parsed.success) return parsed.data;
      } catch {
        // unreadable settings: start from the defaults
      }
    }
    return ListenerSettings.parse({});
  }

  private onNodeEvent(event: NodeEvent): void {
    this.publishStatus();
    if (event.kind === 'triaged') this.announce(event);
  }

  private announce(event: Extract<NodeEvent, { kind: 'triaged' }>): void {
    const { instance, result, model, outcome } = event;
    void this.options
      .studies()
      .adopt({ path: instance.path, model, result })
      .then((study) => {
        const studyResult: StudyResult = result.ok
          ? (() => {
              const heatmaps = viewerHeatmaps(result.prediction, model.labels.length);
              return { id: study.id, ok: true as const, prediction: result.prediction, ...(heatmaps ? { heatmaps } : {}) };
            })()
          : {
              id: study.id,
              ok: false as const,
              error: { ...result.error, message: result.error.message.replaceAll(instance.path, study.name) },
            };
        this.arrivals.set(study.id, { study, result: studyResult, model });
        if (this.arrivals.size > MAX_ARRIVALS) this.arrivals.delete(this.arrivals.keys().next().value!);
        const payload: NodeArrivalEvent = { id: study.id, sopInstanceUid: instance.sop_instance_uid, state: outcome.state };
        this.options.emit({ channel: DICOM_NODE_ARRIVAL_CHANNEL, payload });
      })
      .catch(() => undefined); // an image the viewer cannot open stays in the store and the log
  }

  /** Status to every open UI, at most four times a second. */
  private publishStatus(): void {
    if (this.statusTimer) return;
    this.statusTimer = setTimeout(() => {
      this.statusTimer = undefined;
      if (this.node) this.options.emit({ channel: DICOM_NODE_STATUS_CHANNEL, payload: this.node.status() });
    }, 250);
    this.statusTimer.unref?.();
  }
}
