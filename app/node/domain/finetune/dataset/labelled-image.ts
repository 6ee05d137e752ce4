import type { FileProblem } from '../../../../common/contract/finetune.ts';

export type SplitName = 'train' | 'val' | 'test';
export const SPLITS: readonly SplitName[] = ['train', 'val', 'test'];

/** One image of a fine-tuning dataset, as listed (before the file is checked). */
export interface LabelledImage {
  /** Absolute path. */
  file: string;
  /** As written in the CSV or relative to the data folder: the stable name used in reports and fingerprints. */
  name: string;
  patientId: string;
  /** 0/1 per dataset label, in `labels` order. */
  targets: Uint8Array;
  /** A split fixed by the data (split column or split file). */
  fixedSplit?: SplitName;
}

/** A listed image whose file exists and looks like DICOM/PNG/JPEG. */
export interface CheckedImage extends LabelledImage {
  sha256: string;
}

export interface ListedDataset {
  source: string;
  format: 'csv' | 'nih-csv' | 'folders';
  labels: string[];
  items: LabelledImage[];
  patientIds: 'column' | 'per-image';
  problems: FileProblem[];
}
