import { createHash } from 'node:crypto';
import { basename } from 'node:path';
import type { ErrorInfo } from '../../../common/errors.ts';
import type { PixelCalibration, StudyPixels, StudySummary, StudyTag, ViewerWindow } from '../../../common/contract/studies.ts';
import { classifiability, decodeFrame, displayPixels } from '../../domain/dicom/index.ts';
import { readStudyFile, type StudyFile } from '../../domain/input/study-file.ts';
import { autoWindow, windowSpanning } from '../../domain/dicom/pixels/auto-window.ts';
import { DenseRayError } from '../../shared/errors.ts';
import { decodeStudyImage } from '../../domain/input/decode-study-image.ts';
import { makeThumbnail } from './thumbnail.ts';

/**
 * Everything the UI learns about one image file: header, thumbnail, pixels, tags. These functions
 * parse untrusted bytes, so they run in the reader process, never in Electron's main process.
 */
export type StudyFileInfo = Omit<StudySummary, 'id'>;
export type StudyFilePixels = Omit<StudyPixels, 'id'>;

/** How the study store knows an image: the same SOP Instance UID, or the same bytes (as batch jobs record them). */
export interface StudyIdentity {
  sha256: string;
  sopInstanceUid?: string | undefined;
  patientId?: string | undefined;
}

export interface InspectedStudy {
  info: StudyFileInfo;
  identity: StudyIdentity;
}

async function load(path: string): Promise<StudyFile> {
  return readStudyFile(path, basename(path));
}

export async function inspectStudyFile(path: string): Promise<InspectedStudy> {
  const loaded = await load(path);
  const sha256 = createHash('sha256').update(loaded.bytes).digest('hex');
  const info = await summarise(loaded);
  const meta = loaded.dicom?.meta;
  return { info, identity: { sha256, sopInstanceUid: meta?.sopInstanceUid, patientId: meta?.patientId } };
}

async function summarise(loaded: StudyFile): Promise<StudyFileInfo> {
  const name = loaded.name;
  if (!loaded.dicom) {
    const image = await decodeStudyImage(loaded, name);
    const gray8 = Uint8Array.from(image.data, (v) => Math.round(v * 255));
    return {
      name,
      format: loaded.format,
      rows: image.height,
      columns: image.width,
      frames: 1,
      warnings: [],
      thumbnail: makeThumbnail(image.width, image.height, gray8),
    };
  }
  const file = loaded.dicom;
  const { meta } = file;
  // Decoding here, not lazily, means a file whose pixels cannot be read fails at open with its code.
  const frame = await decodeFrame(file, 0);
  const verdict = classifiability(meta);
  const notClassifiable: ErrorInfo | undefined = verdict.ok ? undefined : { code: verdict.code, message: verdict.reason };
  return {
    name,
    format: 'dicom',
    ...optional({
      patientName: meta.patientName?.replaceAll('^', ' ').trim(),
      patientId: meta.patientId,
      patientSex: meta.patientSex,
      patientAge: meta.patientAge,
      studyDate: meta.studyDate,
      studyTime: meta.studyTime,
      accessionNumber: meta.accessionNumber,
      studyDescription: meta.studyDescription,
      modality: meta.modality,
      viewPosition: meta.viewPosition,
      bodyPart: meta.bodyPartExamined,
    }),
    rows: meta.rows,
    columns: meta.columns,
    frames: meta.numberOfFrames,
    warnings: verdict.ok ? verdict.warnings : [],
    ...(notClassifiable ? { notClassifiable } : {}),
    thumbnail: makeThumbnail(frame.columns, frame.rows, displayPixels(frame)),
  };
}

export async function readStudyPixels(path: string, frameIndex: number): Promise<StudyFilePixels> {
  const loaded = await load(path);
  if (!loaded.dicom) {
    const image = await decodeStudyImage(loaded, basename(path));
    const values = Float32Array.from(image.data, (v) => v * 255);
    const windows: ViewerWindow[] = [
      { label: 'Full range', ...windowSpanning(0, 255), source: 'full-range' },
      { label: 'Auto', ...autoWindow(values), source: 'auto' },
    ];
    if (frameIndex !== 0) throw new DenseRayError('DICOM_FRAME_OUT_OF_RANGE', `${basename(path)} has one frame`);
    return {
      frame: 0,
      width: image.width,
      height: image.height,
      values,
      unit: 'luminance (0–255)',
      min: 0,
      max: 255,
      invert: false,
      windows,
      defaultWindow: 0,
    };
  }
  const file = loaded.dicom;
  const frame = await decodeFrame(file, frameIndex);
  let min = Infinity;
  let max = -Infinity;
  for (const v of frame.modality) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const windows: ViewerWindow[] = file.meta.windows.map((w, i) => ({
    label: w.explanation ?? `Stored ${i + 1}`,
    center: w.center,
    width: w.width,
    source: 'header' as const,
  }));
  const auto: ViewerWindow = { label: 'Auto', ...autoWindow(frame.modality), source: 'auto' };
  const full: ViewerWindow = { label: 'Full range', ...windowSpanning(min, max), source: 'full-range' };
  windows.push(auto, full);
  const voi = frame.voi;
  let defaultWindow = 0;
  let note: string | undefined;
  if (voi.kind === 'lut') {
    defaultWindow = windows.indexOf(auto);
    note = 'this image carries a VOI LUT; the viewer shows an automatic window instead';
  } else if (voi.source !== 'header') {
    // No stored window: the back end's default (auto, or full range for 8-bit data) goes first.
    const own: ViewerWindow = {
      label: voi.source === 'auto' ? 'Auto' : 'Full range',
      center: voi.center,
      width: voi.width,
      source: voi.source,
    };
    windows.splice(0, windows.length, own, ...windows.filter((w) => w.source !== voi.source));
  }
  if (voi.kind === 'window' && voi.fn === 'SIGMOID') note = 'VOI LUT function SIGMOID is shown as a linear window';
  const calibration = calibrationOf(file.meta);
  return {
    frame: frameIndex,
    width: frame.columns,
    height: frame.rows,
    values: frame.modality,
    unit: file.meta.rescaleSlope !== 1 || file.meta.rescaleIntercept !== 0 ? 'modality value (rescaled)' : 'stored value',
    min: Number.isFinite(min) ? min : 0,
    max: Number.isFinite(max) ? max : 0,
    invert: frame.invert,
    windows,
    defaultWindow,
    ...(note ? { note } : {}),
    ...(calibration ? { calibration } : {}),
  };
}

function calibrationOf(meta: { pixelSpacing: [number, number] | undefined; pixelSpacingSource?: PixelCalibration['source'] | undefined }) {
  if (!meta.pixelSpacing || !meta.pixelSpacingSource) return undefined;
  const calibration: PixelCalibration = {
    rowSpacing: meta.pixelSpacing[0],
    columnSpacing: meta.pixelSpacing[1],
    source: meta.pixelSpacingSource,
  };
  return calibration;
}

export async function readStudyTags(path: string): Promise<StudyTag[]> {
  const loaded = await load(path);
  return loaded.dicom ? loaded.dicom.tags() : [];
}

function optional<T extends Record<string, string | undefined>>(fields: T): Partial<Record<keyof T, string>> {
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined && v !== '')) as Partial<Record<keyof T, string>>;
}
