import { readFile, writeFile } from 'node:fs/promises';
import type { ErrorInfo } from '../../common/errors.ts';
import { DenseRayError, toErrorInfo } from '../../node/shared/errors.ts';
import { classifiability, decodeFrame, readDicom, renderToPng, storedStats, type DicomFile } from '../../node/domain/dicom/index.ts';
import { ExitCode, exitCodeFor, printJson, printJsonError, type Command } from '../command.ts';
import { parsePositiveInt, runWithArgs, UsageError } from '../parse-args.ts';

const HELP = `Usage:
  denseray dicom info <file> [--json] [--frame n]
        header summary, all tags, and the frame's stored-pixel statistics
        (--json: {"ok", "file", "meta", "frame", "stored": {"min","max","mean","sha256"}})
  denseray dicom render <file> --out <x.png> [--window <center,width>] [--frame n]
        8-bit grayscale PNG with the default window (first header window, VOI LUT, or automatic)
Frames are numbered from 0. Files are recognised by content, not by extension.
`;

const OPTIONS = {
  json: { type: 'boolean' },
  frame: { type: 'string' },
  out: { type: 'string' },
  window: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

async function load(path: string): Promise<DicomFile> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'FILE_NOT_FOUND' : 'FILE_UNREADABLE';
    throw new DenseRayError(code, `${path}: ${(error as Error).message}`, { cause: error });
  }
  return readDicom(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), path);
}

function parseWindow(value: string | undefined): { center: number; width: number } | undefined {
  if (value === undefined) return undefined;
  const parts = value.split(',').map((p) => Number(p.trim()));
  const [center, width] = parts;
  if (parts.length !== 2 || !Number.isFinite(center) || !Number.isFinite(width) || !(width! > 0)) {
    throw new UsageError(`--window expects <center,width> with a positive width, got "${value}"`);
  }
  return { center: center!, width: width! };
}

function summary(file: DicomFile, frame: number, stored: ReturnType<typeof storedStats>): string {
  const m = file.meta;
  const triage = classifiability(m);
  const rows: Array<[string, string | number | undefined]> = [
    ['File', file.source],
    ['Patient', [m.patientName, m.patientId, m.patientSex, m.patientAge].filter(Boolean).join('  ') || undefined],
    ['Study', [m.studyDate, m.studyDescription, m.studyInstanceUid].filter(Boolean).join('  ') || undefined],
    [
      'Series',
      [m.seriesNumber, m.seriesDescription, m.seriesInstanceUid].filter((v) => v !== undefined && v !== '').join('  ') || undefined,
    ],
    ['SOP Instance', m.sopInstanceUid],
    ['Modality', [m.modality ?? '(none)', m.viewPosition, m.bodyPartExamined, m.laterality].filter(Boolean).join('  ')],
    ['Manufacturer', m.manufacturer],
    [
      'Image',
      `${m.columns} x ${m.rows}, ${m.numberOfFrames} frame(s), ${m.samplesPerPixel} sample(s)/pixel, ${m.photometricInterpretation}`,
    ],
    [
      'Bits',
      `${m.bitsStored} stored in ${m.bitsAllocated} (high bit ${m.highBit}), ${m.pixelRepresentation === 1 ? 'signed' : 'unsigned'}`,
    ],
    ['Pixel spacing', m.pixelSpacing ? `${m.pixelSpacing[0]} x ${m.pixelSpacing[1]} mm` : undefined],
    ['Transfer syntax', `${m.transferSyntaxName} (${m.transferSyntaxUid})`],
    ['Rescale', `slope ${m.rescaleSlope}, intercept ${m.rescaleIntercept}`],
    [
      'Windows',
      m.windows.length
        ? `${m.windows.map((w) => `${w.center}/${w.width}${w.explanation ? ` ${w.explanation}` : ''}`).join(', ')} (${m.voiLutFunction})`
        : '(none)',
    ],
    [`Frame ${frame} stored`, `min ${stored.min}, max ${stored.max}, mean ${stored.mean}, sha256 ${stored.sha256}`],
    [
      'Triage',
      triage.ok ? `classifiable${triage.warnings.length ? ` (${triage.warnings.join('; ')})` : ''}` : `${triage.code}: ${triage.reason}`,
    ],
  ];
  const lines = rows.filter(([, v]) => v !== undefined && v !== '').map(([k, v]) => `${k.padEnd(17)} ${v}`);
  lines.push('', 'Tags:');
  for (const t of file.tags()) lines.push(`${'  '.repeat(t.depth + 1)}${t.tag} ${t.vr.padEnd(2)} ${(t.name ?? '').padEnd(36)} ${t.value}`);
  return `${lines.join('\n')}\n`;
}

function fail(error: unknown, json: boolean): number {
  const info: ErrorInfo = toErrorInfo(error);
  if (json) printJsonError(info);
  else process.stderr.write(`denseray dicom: ${info.code}: ${info.message}\n`);
  return exitCodeFor(info);
}

async function info(path: string, frameIndex: number, json: boolean): Promise<number> {
  try {
    const file = await load(path);
    const frame = await decodeFrame(file, frameIndex);
    const stored = storedStats(frame.stored);
    if (json) printJson({ ok: true, file: path, meta: file.meta, frame: frameIndex, stored, classifiability: classifiability(file.meta) });
    else process.stdout.write(summary(file, frameIndex, stored));
    return ExitCode.ok;
  } catch (error) {
    return fail(error, json);
  }
}

async function render(
  path: string,
  out: string,
  frameIndex: number,
  window: { center: number; width: number } | undefined,
): Promise<number> {
  try {
    const file = await load(path);
    const png = await renderToPng(file, { frame: frameIndex, ...(window ? { window } : {}) });
    await writeFile(out, png);
    process.stdout.write(`wrote ${out} (${file.meta.columns}x${file.meta.rows}, frame ${frameIndex})\n`);
    return ExitCode.ok;
  } catch (error) {
    return fail(error, false);
  }
}

export const dicomCommand: Command = {
  name: 'dicom',
  summary: 'inspect a DICOM file (header, tags, pixel statistics) or render a frame to PNG',
  run: (argv) =>
    runWithArgs(argv, HELP, OPTIONS, async ({ values, positionals }) => {
      const [action, path, ...extra] = positionals;
      if (extra.length > 0) throw new UsageError(`unexpected arguments: ${extra.join(' ')}`);
      const frameIndex = parsePositiveInt(values.frame, '--frame') ?? 0;
      switch (action) {
        case 'info':
          if (!path) throw new UsageError('dicom info needs a file');
          return info(path, frameIndex, values.json === true);
        case 'render': {
          if (!path) throw new UsageError('dicom render needs a file');
          if (!values.out) throw new UsageError('dicom render needs --out <x.png>');
          return render(path, values.out, frameIndex, parseWindow(values.window));
        }
        default:
          throw new UsageError(action ? `unknown dicom action "${action}"` : 'dicom needs an action: info or render');
      }
    }),
};
