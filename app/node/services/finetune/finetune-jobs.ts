import { FINETUNE_PROGRESS_CHANNEL, type FinetuneEvent, type FinetuneRequest, type JobStatus } from '../../../common/contract/finetune.ts';
import { toErrorInfo } from '../../shared/errors.ts';
import { readJobRecord, statusOf } from '../../domain/finetune/job-record.ts';
import { newJobId, runFinetune } from '../../domain/finetune/run-finetune.ts';

interface Running {
  controller: AbortController;
  status: JobStatus;
  done: Promise<void>;
}

/**
 * The back end's running fine-tune jobs: start/resume return at once with the job id; progress goes
 * out as `finetune.progress` events (step events at most every 250 ms); status of finished jobs comes
 * from their job.json. Training runs on this process's event loop, yielding between steps.
 */
export class FinetuneJobs {
  private readonly running = new Map<string, Running>();

  constructor(
    private readonly dataDir: string,
    private readonly emit: (event: { channel: string; payload: unknown }) => void,
  ) {}

  start(request: FinetuneRequest): string {
    return this.launch(newJobId(), (jobId, signal, onEvent) =>
      runFinetune({ dataDir: this.dataDir, request, jobId, signal, onEvent }).then(() => undefined),
    );
  }

  resume(jobId: string): string {
    readJobRecord(this.dataDir, jobId); // fails fast for an unknown job
    if (this.running.has(jobId)) return jobId;
    return this.launch(jobId, (id, signal, onEvent) =>
      runFinetune({ dataDir: this.dataDir, resumeJobId: id, signal, onEvent }).then(() => undefined),
    );
  }

  cancel(jobId: string): JobStatus['state'] {
    const job = this.running.get(jobId);
    if (!job) return readJobRecord(this.dataDir, jobId).state;
    if (job.status.state !== 'running') return job.status.state;
    job.controller.abort();
    return 'running'; // becomes `cancelled` once the current step ends; watch the events
  }

  status(jobId: string): JobStatus {
    return this.running.get(jobId)?.status ?? statusOf(readJobRecord(this.dataDir, jobId));
  }

  /** Resolves when the job ends (tests, shutdown). */
  async settled(jobId: string): Promise<void> {
    await this.running.get(jobId)?.done;
  }

  private launch(jobId: string, run: (jobId: string, signal: AbortSignal, onEvent: (e: FinetuneEvent) => void) => Promise<void>): string {
    const controller = new AbortController();
    const status: JobStatus = { jobId, state: 'running', history: [], result: null, error: null };
    let lastStep = 0;
    const onEvent = (e: FinetuneEvent): void => {
      if (e.type === 'epoch') status.history = [...status.history, e.record];
      // State is final when the event goes out, so a UI that asks for status on `finished` sees it.
      if (e.type === 'finished') {
        status.result = e.result;
        status.history = e.result.history;
        status.state = e.result.stoppedBy === 'cancelled' ? 'cancelled' : 'finished';
      }
      if (e.type === 'failed') {
        status.state = e.error.code === 'CANCELLED' ? 'cancelled' : 'failed';
        status.error = e.error;
      }
      if (e.type === 'step') {
        const now = Date.now();
        if (now - lastStep < 250 && e.step !== e.steps) return;
        lastStep = now;
      }
      this.emit({ channel: FINETUNE_PROGRESS_CHANNEL, payload: e });
    };
    const done = run(jobId, controller.signal, onEvent)
      .then(() => {
        status.state = controller.signal.aborted ? 'cancelled' : 'finished';
      })
      .catch((error: unknown) => {
        status.state = controller.signal.aborted ? 'cancelled' : 'failed';
        status.error = toErrorInfo(error);
      })
      .finally(() => this.running.delete(jobId));
    this.running.set(jobId, { controller, status, done });
    return jobId;
  }
}
