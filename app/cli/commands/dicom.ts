import { writeFile } from 'node:fs/promises';
import { type DicomInfo, dicomInfo, renderDicom } from '../../node/services/dicom/dicom-service.ts';
import { toErrorInfo } from '../../node/shared/errors.ts';
import { ExitCode, printJson, reportFailure, type Command } from '../command.ts';
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

function parseWindow(value: string | undefined): { center: number; width: number } | undefined {
  if (value === undefined) return undefined;
  const parts = value.split(',').map((p) => Number(p.trim()));
  const [center, width] = parts;
  if (parts.length !== 2 || !Number.isFinite(center) || !Number.isFinite(width) || !(width! > 0)) {
    throw new UsageError(`--window expects <center,width> with a positive width, got "${value}"`);
  }
  return { center: center!, width: width! };
}

/** The spacing and which attribute it came from: measurements at the detector are magnified. */
function pixelSpacing(m: DicomInfo['meta']): string {
  if (!m.pixelSpacing) return 'none (uncalibrated: distances only in pixels)';
  const [row, column] = m.pixelSpacing;
  const source =
    m.pixelSpacingSource === 'PixelSpacing' ? 'Pixel Spacing (0028,0030)' : 'Imager Pixel Spacing (0018,1164), at the detector';
  return `${row} x ${column} mm (row x column), from ${source}`;
}

function summary(info: DicomInfo): string {
  const { meta: m, frame, stored, classifiability: triage } = info;
  const rows: Array<[string, string | number | undefined]> = [
    ['File', info.file],
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
    ['Pixel spacing', pixelSpacing(m)],
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
  // Names come from the full dictionary: pad to the longest one shown (capped) so values line up.
  const nameWidth = Math.min(48, Math.max(0, ...info.tags.map((t) => 2 * t.depth + (t.name ?? '').length)));
  for (const t of info.tags) {
    const indent = '  '.repeat(t.depth);
    lines.push(`  ${indent}${t.tag} ${t.vr.padEnd(2)} ${(t.name ?? '').padEnd(nameWidth - indent.length)} ${t.value}`);
  }
  return `${lines.join('\n')}\n`;
}

function fail(error: unknown, json: boolean): number {
  return reportFailure('dicom', toErrorInfo(error), json);
}

async function info(path: string, frameIndex: number, json: boolean): Promise<number> {
  try {
    const result = await dicomInfo(path, frameIndex);
    if (json) {
      const { tags: _tags, ...rest } = result;
      printJson({ ok: true, ...rest });
    } else process.stdout.write(summary(result));
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
    const rendered = await renderDicom(path, { frame: frameIndex, window });
    await writeFile(out, rendered.png);
    process.stdout.write(`wrote ${out} (${rendered.width}x${rendered.height}, frame ${frameIndex})\n`);
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
