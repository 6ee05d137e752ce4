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
} as const;

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export function printJsonError(error: ErrorInfo): void {
  printJson({ ok: false, error: { code: error.code, message: error.message } });
}

/**
 * The exit status for a command that failed as a whole with `error`. INVALID_ARGUMENT means the
 * request as given cannot be done (no such job, a finding the model lacks): a usage error.
 */
export function exitCodeFor(error: ErrorInfo): number {
  return error.code === 'INVALID_ARGUMENT' ? ExitCode.usage : ExitCode.failure;
}

/** Reports a failed command on stderr (or as JSON on stdout) and returns its exit status. */
export function reportFailure(command: string, error: ErrorInfo, json: boolean): number {
  if (json) printJsonError(error);
  else process.stderr.write(`denseray ${command}: ${error.code}: ${error.message}\n`);
  return exitCodeFor(error);
}
