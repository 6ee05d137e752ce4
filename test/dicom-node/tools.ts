import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { projectRoot, shared } from '../helpers/shared.ts';

const run = promisify(execFile);

export interface ToolRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a tool and keeps its exit code and output (a non-zero exit is data here, not an exception). */
export async function tool(command: string, args: string[], timeoutMs = 120_000): Promise<ToolRun> {
  try {
    const { stdout, stderr } = await run(command, args, { timeout: timeoutMs, maxBuffer: 64 << 20 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number | string; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? String(error) };
  }
}

export interface GeneratedStudy {
  path: string;
  sop: string;
  study: string;
  series: string;
  patientId: string;
  rows: number;
  columns: number;
}

/** NIH films wrapped as DICOM DX studies by pydicom (test/dicom-node/make_studies.py). */
export async function makeStudies(
  outDir: string,
  count: number,
  options: { bits?: 8 | 16; size?: string; modality?: string; prefix?: string; offset?: number; full?: boolean } = {},
): Promise<GeneratedStudy[]> {
  const { readdirSync } = await import('node:fs');
  const folder = shared('cxr', options.full ? 'images' : 'images256');
  const offset = options.offset ?? 0;
  const pngs = readdirSync(folder)
    .filter((n) => n.endsWith('.png'))
    .sort()
    .slice(offset, offset + count)
    .map((n) => join(folder, n));
  if (pngs.length < count) throw new Error(`only ${pngs.length} films in ${folder}`);
  const args = [
    join(projectRoot, 'test', 'dicom-node', 'make_studies.py'),
    outDir,
    ...pngs,
    '--bits',
    String(options.bits ?? 8),
    '--prefix',
    options.prefix ?? 'DR',
  ];
  if (options.size) args.push('--size', options.size);
  if (options.modality) args.push('--modality', options.modality);
  const result = await tool('/usr/bin/python3', args, 300_000);
  if (result.code !== 0) throw new Error(`make_studies.py failed: ${result.stderr}`);
  return result.stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as GeneratedStudy);
}

/** dcmtk's storescu as the modality: each file in its own association unless `oneAssociation`. */
export function storescu(
  port: number,
  files: string[],
  options: { aet?: string; called?: string; extra?: string[] } = {},
): Promise<ToolRun> {
  return tool('storescu', [
    '-aet',
    options.aet ?? 'MODALITY',
    '-aec',
    options.called ?? 'DENSERAY',
    ...(options.extra ?? []),
    '127.0.0.1',
    String(port),
    ...files,
  ]);
}

export function echoscu(port: number, options: { aet?: string; called?: string } = {}): Promise<ToolRun> {
  return tool('echoscu', ['-aet', options.aet ?? 'MODALITY', '-aec', options.called ?? 'DENSERAY', '127.0.0.1', String(port)]);
}

/** dicom3tools' IOD validator: its Error and Warning lines. */
export async function dciodvfy(file: string): Promise<{ errors: string[]; warnings: string[]; output: string }> {
  const result = await tool('dciodvfy', [file]);
  const output = `${result.stdout}\n${result.stderr}`;
  const lines = output.split('\n');
  return { errors: lines.filter((l) => l.startsWith('Error')), warnings: lines.filter((l) => l.startsWith('Warning')), output };
}

/** The warning dciodvfy gives for every private coding scheme designator (it knows only the standard's). */
export const PRIVATE_SCHEME_WARNING = /Unrecognized defined term <99DENSERAY> for value 1 of attribute <Coding Scheme Designator>/;
