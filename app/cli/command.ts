import type { ErrorInfo } from '../common/errors.ts';

/** One `denseray <name>` sub-command. `run` returns the process exit code. */
export interface Command {
  name: string;
  summary: string;
  run(argv: string[]): Promise<number>;
}

/** Exit codes every command shares, so scripts can tell failures apart. */
export const ExitCode = {
  ok: 0,
  /** Ran, but at least one input failed (the others were processed). */
  partialFailure: 1,
  usage: 2,
  /** Nothing could be done: model missing, backend unavailable, unreadable input. */
  failure: 3,
  /** The disk is full: nothing stored was lost; free space and run the command again (`batch --resume`). */
  diskFull: 4,
  /** The study store is damaged: `denseray store check | rebuild`. */
  storeCorrupt: 5,
} as const;

/**
 * The exit code for a command that could not run because of `error`: the storage failures a script
 * can act on (free space, rebuild the store) have their own codes; INVALID_ARGUMENT means the
 * request as given cannot be done (no such job, a finding the model lacks), a usage error;
 * everything else is `failure`.
 */
export function exitCodeFor(error: Pick<ErrorInfo, 'code'>): number {
  if (error.code === 'DISK_FULL') return ExitCode.diskFull;
  if (error.code === 'STORE_CORRUPT') return ExitCode.storeCorrupt;
  if (error.code === 'INVALID_ARGUMENT') return ExitCode.usage;
  return ExitCode.failure;
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export function printJsonError(error: ErrorInfo): void {
  printJson({ ok: false, error: { code: error.code, message: error.message } });
}

/** Reports a failed command on stderr (or as JSON on stdout) and returns its exit status. */
export function reportFailure(command: string, error: ErrorInfo, json: boolean): number {
  if (json) printJsonError(error);
  else process.stderr.write(`denseray ${command}: ${error.code}: ${error.message}\n`);
  return exitCodeFor(error);
}
