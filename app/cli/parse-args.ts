import { parseArgs, type ParseArgsConfig } from 'node:util';
import { ExitCode } from './command.ts';

export class UsageError extends Error {}

/** node:util parseArgs in strict mode, with its errors turned into usage errors. */
export function parseCommandArgs<T extends NonNullable<ParseArgsConfig['options']>>(argv: string[], options: T) {
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

export function parsePositiveInt(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`${flag} expects a non-negative integer, got "${value}"`);
  return n;
}

/** Runs a command body, mapping usage errors to exit code 2 with the help text. */
export async function withUsage(help: string, body: () => Promise<number>): Promise<number> {
  try {
    return await body();
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`denseray: ${error.message}\n\n${help}`);
      return ExitCode.usage;
    }
    throw error;
  }
}
