import type { DicomMetadata } from './types.ts';

export interface InstanceRef {
  path: string;
  meta: DicomMetadata;
}

export interface SeriesGroup {
  /** undefined when the files carry no SeriesInstanceUID (each such file is then its own series). */
  seriesInstanceUid: string | undefined;
  seriesNumber: number | undefined;
  modality: string | undefined;
  seriesDescription: string | undefined;
  instances: InstanceRef[];
}

export interface StudyGroup {
  studyInstanceUid: string | undefined;
  studyDate: string | undefined;
  studyDescription: string | undefined;
  patientId: string | undefined;
  patientName: string | undefined;
  series: SeriesGroup[];
}

function compareOptional<T extends string | number>(a: T | undefined, b: T | undefined): number {
  if (a === b) return 0;
  if (a === undefined) return 1;
  if (b === undefined) return -1;
  return a < b ? -1 : 1;
}

/**
 * Study -> series -> instances, by UID. Files without a UID are kept apart (keyed by path) rather
 * than merged into a fake study. Ordered by date/number, instances by InstanceNumber then path.
 */
export function groupStudies(files: readonly InstanceRef[]): StudyGroup[] {
  const studies = new Map<string, StudyGroup>();
  const seriesByKey = new Map<string, SeriesGroup>();
  for (const file of files) {
    const { meta } = file;
    const studyKey = meta.studyInstanceUid ?? `path:${file.path}`;
    let study = studies.get(studyKey);
    if (!study) {
      study = {
        studyInstanceUid: meta.studyInstanceUid,
        studyDate: meta.studyDate,
        studyDescription: meta.studyDescription,
        patientId: meta.patientId,
        patientName: meta.patientName,
        series: [],
      };
      studies.set(studyKey, study);
    }
    const seriesKey = `${studyKey}|${meta.seriesInstanceUid ?? `path:${file.path}`}`;
    let series = seriesByKey.get(seriesKey);
    if (!series) {
      series = {
        seriesInstanceUid: meta.seriesInstanceUid,
        seriesNumber: meta.seriesNumber,
        modality: meta.modality,
        seriesDescription: meta.seriesDescription,
        instances: [],
      };
      seriesByKey.set(seriesKey, series);
      study.series.push(series);
    }
    series.instances.push(file);
  }
  const ordered = [...studies.values()];
  for (const study of ordered) {
    study.series.sort(
      (a, b) => compareOptional(a.seriesNumber, b.seriesNumber) || compareOptional(a.seriesInstanceUid, b.seriesInstanceUid),
    );
    for (const series of study.series) {
      series.instances.sort((a, b) => compareOptional(a.meta.instanceNumber, b.meta.instanceNumber) || compareOptional(a.path, b.path));
    }
  }
  return ordered.sort((a, b) => compareOptional(a.studyDate, b.studyDate) || compareOptional(a.studyInstanceUid, b.studyInstanceUid));
}
