import { batchCommand } from './commands/batch.ts';
import { classifyCommand } from './commands/classify.ts';
import { dicomCommand } from './commands/dicom.ts';
import { finetuneCommand } from './commands/finetune.ts';
import { jobsCommand } from './commands/jobs.ts';
import { listenCommand } from './commands/listen.ts';
import { modelsCommand } from './commands/models.ts';
import { pacsCommand } from './commands/pacs.ts';
import { reportCommand } from './commands/report.ts';
import { serveCommand } from './commands/serve.ts';
import { storeCommand } from './commands/store.ts';
import { ExitCode, type Command } from './command.ts';

const COMMANDS: Command[] = [
  classifyCommand,
  modelsCommand,
  dicomCommand,
  serveCommand,
  batchCommand,
  reportCommand,
  jobsCommand,
  finetuneCommand,
  storeCommand,
  listenCommand,
  pacsCommand,
];

const NOT_A_DEVICE = 'DenseRay is research software, not a medical device. Every result needs review by a qualified reader.';

function usage(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    'Usage: denseray <command> [options]   (denseray <command> --help for details)',
    '',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Common options: --data-dir <dir> (or DENSERAY_DATA_DIR) selects where models and studies live.',
    NOT_A_DEVICE,
    '',
  ].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage());
    return name === undefined ? ExitCode.usage : ExitCode.ok;
  }
  if (name === '--version') {
    process.stdout.write('denseray 0.1.0\n');
    return ExitCode.ok;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    process.stderr.write(`denseray: unknown command "${name}"\n\n${usage()}`);
    return ExitCode.usage;
  }
  return command.run(rest);
}
