import { z } from 'zod';
import { WORKLIST_GROUPS } from '../worklist-order.ts';
import { ErrorCode, ErrorInfo } from '../errors.ts';

/**
 * Offline batch triage: jobs over folders of studies, their progress, and the per-study rows of the
 * ranked worklist. A "study" here is one classifiable image (one DICOM SOP instance, or one PNG/JPEG);
 * the same image found twice (same SOP Instance UID or same bytes) is one study.
 */

/** Stored job states. `interrupted` is never stored: it is a running job whose process has died. */
export const JobState = z.enum(['queued', 'importing', 'running', 'paused', 'cancelled', 'done', 'failed', 'interrupted']);
export type JobState = z.infer<typeof JobState>;

export const JobCounts = z.object({
  /** Files the walk found (study files and skipped ones). */
  filesSeen: z.number().int().nonnegative(),
  /** Files that are not DICOM/PNG/JPEG by content, or could not be read. */
  filesSkipped: z.number().int().nonnegative(),
  /** Files whose image was already in this job (same SOP Instance UID or same bytes). */
  duplicates: z.number().int().nonnegative(),
  studies: z.number().int().nonnegative(),
  /** Studies with a result (ok or error) for the job's model. */
  finished: z.number().int().nonnegative(),
  failed: z.number().int().nonnegative(),
});
export type JobCounts = z.infer<typeof JobCounts>;

export const JobModel = z.object({ id: z.string(), version: z.string(), sha256: z.string(), demo: z.boolean() });
export type JobModel = z.infer<typeof JobModel>;

export const JobSummary = z.object({
  id: z.number().int().positive(),
  state: JobState,
  roots: z.array(z.string()),
  model: JobModel,
  counts: JobCounts,
  /** Why the files that were skipped were skipped, with how many each. */
  skipReasons: z.record(z.string(), z.number().int()),
  /** Every item with seq ≤ cursor is finished; work resumes after it. */
  cursor: z.number().int().nonnegative(),
  error: ErrorInfo.nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
  finishedAt: z.string().nullable(),
});
export type JobSummary = z.infer<typeof JobSummary>;

/** Pushed on the `jobs.progress` channel while a job runs (throttled) and on every state change. */
export const JobProgress = z.object({
  jobId: z.number().int().positive(),
  state: JobState,
  phase: z.enum(['import', 'classify', 'idle']),
  counts: JobCounts,
  /** Studies per second over this run; 0 until the first result. */
  rate: z.number().nonnegative(),
  etaSeconds: z.number().nonnegative().nullable(),
});
export type JobProgress = z.infer<typeof JobProgress>;
export const JOB_PROGRESS_CHANNEL = 'jobs.progress';

/** One study in a report: identifiers, per-finding probabilities, verdict, model, error. */
export const StudyRow = z.object({
  rank: z.number().int().positive(),
  /** Where the worklist puts it (app/common/worklist-order.ts): a suspect input never outranks a trusted score. */
  group: z.enum(WORKLIST_GROUPS),
  studyId: z.number().int().positive(),
  /** The file whose pixels were classified (for an error: the last copy tried). */
  file: z.string(),
  /** How many files hold this image. */
  copies: z.number().int().positive(),
  format: z.enum(['dicom', 'png', 'jpeg']),
  patientId: z.string().nullable(),
  studyInstanceUid: z.string().nullable(),
  seriesInstanceUid: z.string().nullable(),
  sopInstanceUid: z.string().nullable(),
  studyDate: z.string().nullable(),
  modality: z.string().nullable(),
  viewPosition: z.string().nullable(),
  /** `pending`: the job has not reached this study yet. */
  status: z.enum(['ok', 'error', 'pending']),
  triageScore: z.number().nullable(),
  /** The score the worklist is sorted by (the triage score unless another ranking was asked for). */
  rankScore: z.number().nullable(),
  probabilities: z.record(z.string(), z.number()).nullable(),
  flagged: z.array(z.string()),
  inputSuspect: z.boolean(),
  inputSuspectReason: z.string().nullable(),
  error: z.object({ code: ErrorCode, message: z.string() }).nullable(),
});
export type StudyRow = z.infer<typeof StudyRow>;

/** What the scored group is sorted by; see app/common/worklist-order.ts and app/node/domain/batch/ranking.ts. */
export const RankRule = z.union([z.enum(['triage', 'max-probability']), z.string().regex(/^finding:.+$/)]);
export type RankRule = z.infer<typeof RankRule>;

export const ReportFormat = z.enum(['csv', 'json', 'html']);
export type ReportFormat = z.infer<typeof ReportFormat>;

const JobId = z.object({ jobId: z.number().int().positive() });

export const JobsStartRequest = z.object({
  roots: z.array(z.string().min(1)).min(1).max(1000),
  /** An installed model id; the active model when absent. */
  modelId: z.string().optional(),
  /** CPU cores the job may use for inference; all when absent. */
  workers: z.number().int().positive().max(256).optional(),
});
export const JobsGetRequest = JobId.extend({
  offset: z.number().int().nonnegative().default(0),
  limit: z.number().int().positive().max(1000).default(100),
  rank: RankRule.default('triage'),
});
export const JobsGetResponse = z.object({ job: JobSummary, rows: z.array(StudyRow), totalRows: z.number().int().nonnegative() });
export const JobsReportRequest = JobId.extend({
  /** Where to write; the format follows the extension (.csv, .json, .html). */
  out: z.string().min(1),
  rank: RankRule.default('triage'),
});

/** The API entries of this area (spread into contract/api.ts). */
export const batchApi = {
  'jobs.start': { request: JobsStartRequest, response: JobSummary },
  'jobs.list': { request: z.object({}), response: z.array(JobSummary) },
  'jobs.get': { request: JobsGetRequest, response: JobsGetResponse },
  'jobs.pause': { request: JobId, response: JobSummary },
  'jobs.cancel': { request: JobId, response: JobSummary },
  'jobs.resume': { request: JobId, response: JobSummary },
  'jobs.report': { request: JobsReportRequest, response: z.object({ path: z.string(), studies: z.number().int().nonnegative() }) },
} as const;
