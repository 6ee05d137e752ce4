import { z } from 'zod';
import { ErrorInfo } from '../errors.ts';
import { batchApi, JOB_PROGRESS_CHANNEL, JobProgress } from './batch.ts';
import { FINETUNE_PROGRESS_CHANNEL, FinetuneEvent, finetuneApi } from './finetune.ts';

/**
 * Messages between a host (Electron main, `denseray serve`) and the jobs process, which runs batch
 * jobs and fine-tuning away from the host's event loop. A call is one API function of the jobs or
 * finetune area, its payload parsed against the API table on arrival; both ends parse every
 * message with these schemas before acting on it.
 */
export const JOBS_API = { ...batchApi, ...finetuneApi } as const;
export type JobsMethod = keyof typeof JOBS_API;
// Object.keys loses the literal types; JOBS_API is the single list, so the cast cannot drift.
export const JOBS_METHODS = Object.keys(JOBS_API) as [JobsMethod, ...JobsMethod[]];

/** First message after every (re)start: where the store, models and fine-tune jobs live. */
export const JobsInit = z.object({ type: z.literal('init'), dataDir: z.string().min(1).max(4096) });
export const JobsCall = z.object({ type: z.literal('call'), id: z.number().int(), method: z.enum(JOBS_METHODS), payload: z.unknown() });
/** Pause the running batch job cleanly (it resumes from the store), then exit. */
export const JobsShutdown = z.object({ type: z.literal('shutdown') });

export const JobsRequest = z.discriminatedUnion('type', [JobsInit, JobsCall, JobsShutdown]);
export type JobsRequest = z.infer<typeof JobsRequest>;

export const JobsReply = z.discriminatedUnion('ok', [
  z.object({ type: z.literal('reply'), id: z.number().int(), ok: z.literal(true), value: z.unknown() }),
  z.object({ type: z.literal('reply'), id: z.number().int(), ok: z.literal(false), error: ErrorInfo }),
]);

/** Progress the host forwards unchanged to its UI (ctx.emit); only these two channels exist. */
export const JobsEvent = z.discriminatedUnion('channel', [
  z.object({ type: z.literal('event'), channel: z.literal(JOB_PROGRESS_CHANNEL), payload: JobProgress }),
  z.object({ type: z.literal('event'), channel: z.literal(FINETUNE_PROGRESS_CHANNEL), payload: FinetuneEvent }),
]);
export type JobsEvent = z.infer<typeof JobsEvent>;

export const JobsMessage = z.union([JobsReply, JobsEvent]);
export type JobsMessage = z.infer<typeof JobsMessage>;
