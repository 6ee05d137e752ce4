import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { ErrorInfo } from '../../../common/errors.ts';
import { FinetuneRequest, FinetuneResult, JobState, type JobStatus } from '../../../common/contract/finetune.ts';
import { DenseRayError } from '../../shared/errors.ts';
import { writeFileAtomic } from '../../shared/atomic-write.ts';

/** `<dataDir>/finetune-jobs/<jobId>/job.json`: what was asked, where it stands; checkpoints sit beside it. */
export const JobRecord = z.object({
  jobId: z.string(),
  request: FinetuneRequest,
  modelId: z.string(),
  state: JobState,
  createdAt: z.string(),
  updatedAt: z.string(),
  result: FinetuneResult.nullable(),
  error: ErrorInfo.nullable(),
});
export type JobRecord = z.infer<typeof JobRecord>;

export function jobsRoot(dataDir: string): string {
  return join(dataDir, 'finetune-jobs');
}

export function jobDir(dataDir: string, jobId: string): string {
  if (!/^[a-z0-9-]{1,64}$/.test(jobId)) throw new DenseRayError('INVALID_ARGUMENT', `"${jobId}" is not a fine-tune job id`);
  return join(jobsRoot(dataDir), jobId);
}

export function writeJobRecord(dataDir: string, record: JobRecord): void {
  const dir = jobDir(dataDir, record.jobId);
  mkdirSync(dir, { recursive: true });
  writeFileAtomic(join(dir, 'job.json'), `${JSON.stringify(record, null, 2)}\n`);
}

export function readJobRecord(dataDir: string, jobId: string): JobRecord {
  const path = join(jobDir(dataDir, jobId), 'job.json');
  if (!existsSync(path)) throw new DenseRayError('INVALID_ARGUMENT', `no fine-tune job "${jobId}"`);
  return JobRecord.parse(JSON.parse(readFileSync(path, 'utf8')));
}

export function statusOf(record: JobRecord): JobStatus {
  return { jobId: record.jobId, state: record.state, history: record.result?.history ?? [], result: record.result, error: record.error };
}
