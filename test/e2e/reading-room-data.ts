import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { writeChestDicom } from '../helpers/chest-dicom.ts';
import { REPO_ROOT } from './serve-process.ts';

export const SHARED = join(REPO_ROOT, '..', 'shared', 'data');
const film = (name: string): string => join(SHARED, 'cxr', 'images', name);

/** The patient whose two visits the comparison tests pair, and the spacing the ruler test measures with. */
export const PRIOR_PATIENT = { patientId: 'E2E-PRIOR-7', patientName: 'TEST^COMPARISON' };
export const PIXEL_SPACING: [number, number] = [0.2, 0.25];
export const CINE_FRAMES = 4;

/**
 * A reading room's day, written at test time: NIH films as PNG; the shared corpus's DICOMs (a CT that
 * opens but is not scored, a MONOCHROME1 film); the same patient twice (2019 and 2024, matched by
 * Patient ID) with Pixel Spacing; a multi-frame film; a film calibrated only at the detector; a
 * lateral film (the input guard's "check input"); and a truncated file that cannot open.
 */
export function writeReadingRoom(folder: string): void {
  mkdirSync(folder, { recursive: true });
  for (const name of ['00000284_000.png', '00000574_000.png', '00000801_000.png']) copyFileSync(film(name), join(folder, name));
  copyFileSync(join(SHARED, 'dicom', 'cxr_dx_mono1_8bit_explicit_le.dcm'), join(folder, 'mono1_film.dcm'));
  copyFileSync(join(SHARED, 'dicom', 'ct_small_mono2_16s_explicit_le.dcm'), join(folder, 'ct_slice.dcm'));
  copyFileSync(join(SHARED, 'dicom', 'truncated_header.dcm'), join(folder, 'zz_truncated.dcm'));
  writeChestDicom(join(folder, 'comparison_2019.dcm'), {
    ...PRIOR_PATIENT,
    png: film('00004077_000.png'),
    studyDate: '20190312',
    accessionNumber: 'ACC-2019-11',
    sopInstanceUid: '2.25.7019',
    pixelSpacing: PIXEL_SPACING,
    patientAge: '061Y',
    patientSex: 'M',
  });
  writeChestDicom(join(folder, 'comparison_2024.dcm'), {
    ...PRIOR_PATIENT,
    png: film('00004094_000.png'),
    studyDate: '20240705',
    accessionNumber: 'ACC-2024-42',
    sopInstanceUid: '2.25.7024',
    pixelSpacing: PIXEL_SPACING,
    patientAge: '066Y',
    patientSex: 'M',
  });
  writeChestDicom(join(folder, 'cine_film.dcm'), {
    patientId: 'E2E-CINE-3',
    patientName: 'TEST^FRAMES',
    png: film('00005067_000.png'),
    studyDate: '20230101',
    accessionNumber: 'ACC-CINE',
    sopInstanceUid: '2.25.7030',
    frames: CINE_FRAMES,
  });
  writeChestDicom(join(folder, 'detector_only.dcm'), {
    patientId: 'E2E-DET-4',
    patientName: 'TEST^DETECTOR',
    png: film('00005213_000.png'),
    studyDate: '20220202',
    sopInstanceUid: '2.25.7040',
    imagerPixelSpacing: [0.139, 0.139],
  });
  writeChestDicom(join(folder, 'lateral_view.dcm'), {
    patientId: 'E2E-LAT-5',
    patientName: 'TEST^LATERAL',
    png: film('00005224_000.png'),
    studyDate: '20210303',
    sopInstanceUid: '2.25.7050',
    viewPosition: 'LL',
  });
}
