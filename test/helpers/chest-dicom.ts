import { readFileSync, writeFileSync } from 'node:fs';
import { PNG } from 'pngjs';
import { imageElements, type TestElement, writeTestDicom } from './write-dicom.ts';

export interface ChestStudy {
  /** An 8-bit grayscale PNG (e.g. an NIH film from ../shared/data) whose pixels become the image. */
  png: string;
  patientId: string;
  patientName: string;
  studyDate: string;
  studyTime?: string;
  accessionNumber?: string;
  sopInstanceUid: string;
  /** Row, column spacing in mm. */
  pixelSpacing?: [number, number];
  imagerPixelSpacing?: [number, number];
  /** Repeat the image this many times as frames, each one brighter, so frames are told apart. */
  frames?: number;
  patientSex?: string;
  patientAge?: string;
  /** (0018,5101); default PA. LL/RL mark a lateral film, which the input guard flags. */
  viewPosition?: string;
}

/** The gray values of an 8-bit PNG (its red channel after pngjs expands to RGBA). */
export function pngGray(path: string): { width: number; height: number; data: Uint8Array } {
  const png = PNG.sync.read(readFileSync(path));
  const data = new Uint8Array(png.width * png.height);
  for (let i = 0; i < data.length; i++) data[i] = png.data[4 * i]!;
  return { width: png.width, height: png.height, data };
}

/**
 * Writes a DX chest film as DICOM (explicit VR little endian) with the patient, study and spacing
 * attributes a reading room uses: made at test time from a real film, so nothing binary is committed.
 */
export function writeChestDicom(path: string, study: ChestStudy): void {
  const gray = pngGray(study.png);
  const frames = study.frames ?? 1;
  const pixels = new Uint8Array(gray.data.length * frames);
  for (let f = 0; f < frames; f++)
    for (let i = 0; i < gray.data.length; i++) pixels[f * gray.data.length + i] = Math.min(255, gray.data[i]! + 30 * f);
  const ds = (n: number[]): string => n.join('\\');
  const elements: TestElement[] = [
    ...imageElements({ rows: gray.height, columns: gray.width, bitsAllocated: 8, bitsStored: 8, signed: false, pixels }),
    { group: 0x0008, element: 0x0016, vr: 'UI', value: '1.2.840.10008.5.1.4.1.1.1.1' },
    { group: 0x0008, element: 0x0018, vr: 'UI', value: study.sopInstanceUid },
    { group: 0x0008, element: 0x0020, vr: 'DA', value: study.studyDate },
    { group: 0x0008, element: 0x0030, vr: 'TM', value: study.studyTime ?? '090000' },
    { group: 0x0008, element: 0x0050, vr: 'SH', value: study.accessionNumber ?? '' },
    { group: 0x0010, element: 0x0010, vr: 'PN', value: study.patientName },
    { group: 0x0010, element: 0x0020, vr: 'LO', value: study.patientId },
    { group: 0x0010, element: 0x0040, vr: 'CS', value: study.patientSex ?? 'F' },
    { group: 0x0010, element: 0x1010, vr: 'AS', value: study.patientAge ?? '054Y' },
    { group: 0x0018, element: 0x0015, vr: 'CS', value: 'CHEST' },
    { group: 0x0018, element: 0x5101, vr: 'CS', value: study.viewPosition ?? 'PA' },
    { group: 0x0020, element: 0x000d, vr: 'UI', value: `${study.sopInstanceUid}.1` },
    { group: 0x0020, element: 0x000e, vr: 'UI', value: `${study.sopInstanceUid}.2` },
  ];
  if (frames > 1) elements.push({ group: 0x0028, element: 0x0008, vr: 'IS', value: String(frames) });
  if (study.pixelSpacing) elements.push({ group: 0x0028, element: 0x0030, vr: 'DS', value: ds(study.pixelSpacing) });
  if (study.imagerPixelSpacing) elements.push({ group: 0x0018, element: 0x1164, vr: 'DS', value: ds(study.imagerPixelSpacing) });
  writeFileSync(path, writeTestDicom(elements));
}
