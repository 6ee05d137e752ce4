import { z } from 'zod';
import { ErrorCode } from '../errors.ts';
import { ModelInfo } from './classify.ts';
import { StudyId, StudyResult, StudySummary } from './studies.ts';

/**
 * The DICOM node: a C-ECHO/C-STORE listener whose received films are triaged and whose results go
 * back to a configured peer as DICOM SR and Secondary Capture; the DICOMweb pull from a PACS; the
 * log of every transfer. Nothing is sent anywhere unless a destination is configured.
 */

/** PS3.5 VR AE: 1–16 characters of the default repertoire, no backslash or control characters. */
export const AeTitle = z
  .string()
  .trim()
  .min(1)
  .max(16)
  .regex(/^[\x20-\x5b\x5d-\x7e]+$/, 'an AE title is 1–16 printable ASCII characters without a backslash');

export const DicomPeer = z.object({
  aet: AeTitle,
  host: z.string().min(1).max(255),
  port: z.number().int().min(1).max(65535),
});
export type DicomPeer = z.infer<typeof DicomPeer>;

export const ListenerSettings = z.object({
  aeTitle: AeTitle.default('DENSERAY'),
  port: z.number().int().min(0).max(65535).default(11112),
  /** Address to bind; default every interface (the PACS is on another machine). */
  host: z.string().min(1).max(255).optional(),
  /** Calling AE titles that may send studies; others are rejected at association. */
  allow: z.array(AeTitle).max(200).default([]),
  /** Accept any calling AE title (only on a closed network). */
  allowAny: z.boolean().default(false),
  /** Where SR and heatmap Secondary Captures go; null: results stay here. */
  sendTo: DicomPeer.nullable().default(null),
  /** Also send an SR for images stored but not assessed (not an X-ray, not a chest film). */
  reportRefusals: z.boolean().default(false),
});
export type ListenerSettings = z.infer<typeof ListenerSettings>;
export type ListenerSettingsInput = z.input<typeof ListenerSettings>;

export const NodeCounts = z.object({
  /** Distinct instances stored (received or retrieved). */
  received: z.number().int().nonnegative(),
  triaged: z.number().int().nonnegative(),
  /** Stored, not scored: not a chest radiograph. */
  refused: z.number().int().nonnegative(),
  /** Stored, unreadable. */
  failed: z.number().int().nonnegative(),
  /** Stored, waiting for the model. */
  waiting: z.number().int().nonnegative(),
  duplicates: z.number().int().nonnegative(),
  rejectedAssociations: z.number().int().nonnegative(),
  /** Results delivered to a peer. */
  sent: z.number().int().nonnegative(),
  /** Results waiting to be delivered (a peer down: retried with back-off). */
  pending: z.number().int().nonnegative(),
  /** Results a peer refused outright. */
  sendFailed: z.number().int().nonnegative(),
});
export type NodeCounts = z.infer<typeof NodeCounts>;

export const NodeProblem = z.object({ at: z.string(), code: ErrorCode, message: z.string() });
export type NodeProblem = z.infer<typeof NodeProblem>;

export const ListenerStatus = z.object({
  state: z.enum(['stopped', 'listening', 'failed']),
  settings: ListenerSettings.nullable(),
  /** The port actually bound while listening. */
  port: z.number().int().nullable(),
  startedAt: z.string().nullable(),
  counts: NodeCounts,
  /** The most recent problems, newest first (a refused caller, a dropped association, a full disk, a peer down). */
  problems: z.array(NodeProblem),
});
export type ListenerStatus = z.infer<typeof ListenerStatus>;

export const TransferDirection = z.enum(['receive', 'send', 'retrieve', 'association']);
export const TransferOutcome = z.enum(['ok', 'duplicate', 'refused', 'failed', 'retrying']);

/** One line of the transfer log: who, what, when, outcome. */
export const Transfer = z.object({
  id: z.number().int(),
  at: z.string(),
  direction: TransferDirection,
  peer: z.string(),
  what: z.string(),
  sopInstanceUid: z.string().nullable(),
  studyInstanceUid: z.string().nullable(),
  outcome: TransferOutcome,
  code: z.string().nullable(),
  message: z.string().nullable(),
});
export type Transfer = z.infer<typeof Transfer>;

export const TransfersRequest = z.object({
  limit: z.number().int().min(1).max(1000).default(100),
  offset: z.number().int().nonnegative().default(0),
});
export const TransfersResponse = z.object({ transfers: z.array(Transfer), counts: NodeCounts });

/** A DICOMweb query: studies of these modalities, from this date on, of this patient. */
export const PacsQuery = z.object({
  /** The DICOMweb service root, e.g. http://pacs:8042/dicom-web */
  url: z.string().url().max(2000),
  /** StudyDate on or after this day (YYYYMMDD). */
  since: z
    .string()
    .regex(/^\d{8}$/, 'a date as YYYYMMDD')
    .optional(),
  modalities: z
    .array(z.string().regex(/^[A-Z0-9_ ]{1,16}$/))
    .min(1)
    .max(10)
    .default(['CR', 'DX']),
  patientId: z.string().min(1).max(64).optional(),
  limit: z.number().int().min(1).max(1000).default(100),
});
export type PacsQuery = z.infer<typeof PacsQuery>;

export const PacsStudy = z.object({
  studyInstanceUid: z.string(),
  patientId: z.string().optional(),
  patientName: z.string().optional(),
  studyDate: z.string().optional(),
  accessionNumber: z.string().optional(),
  description: z.string().optional(),
  modalities: z.array(z.string()),
  instances: z.number().int().optional(),
});
export type PacsStudy = z.infer<typeof PacsStudy>;

export const PacsTriageRequest = PacsQuery.extend({
  /** STOW-RS the SR and heatmaps back to the same DICOMweb root. Default: keep them here. */
  sendBack: z.boolean().default(false),
});

export const TriagedInstance = z.object({
  sopInstanceUid: z.string(),
  studyInstanceUid: z.string().nullable(),
  state: z.enum(['triaged', 'refused', 'failed', 'waiting']),
  code: z.string().nullable(),
  message: z.string().nullable(),
  triageScore: z.number().nullable(),
  flagged: z.array(z.string()),
});
export type TriagedInstance = z.infer<typeof TriagedInstance>;

export const PacsTriageResult = z.object({
  studies: z.number().int().nonnegative(),
  instances: z.array(TriagedInstance),
  model: ModelInfo.nullable(),
  /** Results delivered now, and those still waiting (a peer down: retried by the next run or the listener). */
  sent: z.number().int().nonnegative(),
  pending: z.number().int().nonnegative(),
});
export type PacsTriageResult = z.infer<typeof PacsTriageResult>;

/**
 * A study the listener stored and triaged, announced to the app (events are small JSON): the UI
 * asks for it with dicomNode.arrival and adds it to the worklist like a file it opened.
 */
export const NodeArrivalEvent = z.object({ id: StudyId, sopInstanceUid: z.string(), state: z.enum(['triaged', 'refused', 'failed']) });
export type NodeArrivalEvent = z.infer<typeof NodeArrivalEvent>;
export const NodeArrival = z.object({ study: StudySummary, result: StudyResult, model: ModelInfo });
export type NodeArrival = z.infer<typeof NodeArrival>;

export const DICOM_NODE_STATUS_CHANNEL = 'dicomNode.status';
export const DICOM_NODE_ARRIVAL_CHANNEL = 'dicomNode.arrival';

export const dicomNodeEvents = {
  [DICOM_NODE_STATUS_CHANNEL]: ListenerStatus,
  [DICOM_NODE_ARRIVAL_CHANNEL]: NodeArrivalEvent,
} as const;

export const dicomNodeApi = {
  'dicomNode.status': { request: z.object({}), response: ListenerStatus },
  /** Saved settings (last used), for the panel to start from. */
  'dicomNode.settings': { request: z.object({}), response: ListenerSettings },
  'dicomNode.start': { request: ListenerSettings, response: ListenerStatus },
  'dicomNode.stop': { request: z.object({}), response: ListenerStatus },
  'dicomNode.transfers': { request: TransfersRequest, response: TransfersResponse },
  /** A study the listener announced on DICOM_NODE_ARRIVAL_CHANNEL, with its result (as studies.classify gives it). */
  'dicomNode.arrival': { request: z.object({ id: StudyId }), response: NodeArrival },
  'pacs.search': { request: PacsQuery, response: z.array(PacsStudy) },
  'pacs.triage': { request: PacsTriageRequest, response: PacsTriageResult },
} as const;
