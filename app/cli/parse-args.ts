import { parseArgs, type ParseArgsConfig } from 'node:util';
import { ExitCode } from './command.ts';

export class UsageError extends Error {}

/** node:util parseArgs in strict mode, with its errors turned into usage errors a person can read. */
export function parseCommandArgs<T extends NonNullable<ParseArgsConfig['options']>>(argv: string[], options: T) {
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(readableParseError(error, Object.keys(options)));
  }
}

/**
 * node's parseArgs messages are written for programmers ("Unknown option '--x'. To specify a
 * positional argument starting with a '-', place it at the end … as in '-- \"--x\"", with an
 * unbalanced quote); say what is wrong, and the nearest real option when it looks like a typo.
 */
export function readableParseError(error: unknown, known: readonly string[]): string {
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: unknown }).code;
  const option = /'(-{1,2}[^'\s]+)/.exec(message)?.[1];
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && option) {
    const guess = nearestOption(option.replace(/^-+/, ''), known);
    return `unknown option ${option}${guess ? `; did you mean --${guess}?` : ''}`;
  }
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && option) {
    return /argument missing/.test(message) ? `${option} needs a value` : `${option} takes no value`;
  }
  return message;
}

/** The known option within two edits of `typed` (or that it is a prefix of), if exactly one is closest. */
function nearestOption(typed: string, known: readonly string[]): string | undefined {
  const scored = known.map((name) => ({ name, d: name.startsWith(typed) && typed.length >= 3 ? 0 : editDistance(typed, name) }));
  const best = Math.min(...scored.map((s) => s.d));
  const winners = scored.filter((s) => s.d === best);
  return best <= 2 && winners.length === 1 ? winners[0]!.name : undefined;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++)
      row[j] = Math.min(previous[j]! + 1, row[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    previous = row;
  }
  return previous[b.length]!;
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
      process.stderr.write(`denseray: ${error.message}\n\n${usageLines(help)}`);
      return ExitCode.usage;
    }
    throw error;
  }
}

/** After a usage error, the help's usage lines and where the rest is, not the whole page. */
function usageLines(help: string): string {
  const head = help.split(/\n\s*\n/)[0]!;
  const command = /Usage:\s+denseray\s+(\S+)/.exec(head)?.[1];
  return `${head}\n${command ? `(denseray ${command} --help for every option)\n` : ''}`;
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
