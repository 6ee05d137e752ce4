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

/**
 * The shape every command shares: parse argv strictly, answer --help with the help text, map
 * usage errors to exit 2, then run the body with the parsed values.
 */
export function runWithArgs<T extends NonNullable<ParseArgsConfig['options']> & { help: { type: 'boolean' } }>(
  argv: string[],
  help: string,
  options: T,
  body: (parsed: ReturnType<typeof parseCommandArgs<T>>) => Promise<number>,
): Promise<number> {
  return withUsage(help, async () => {
    const parsed = parseCommandArgs(argv, options);
    if ((parsed.values as { help?: boolean }).help) {
      process.stdout.write(help);
      return ExitCode.ok;
    }
    return body(parsed);
  });
}
