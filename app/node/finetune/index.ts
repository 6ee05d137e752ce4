export { runFinetune, newJobId, type FinetuneOutcome, type RunFinetuneOptions } from './run-finetune.ts';
export { findLearningRate } from './find-lr.ts';
export { prepareDataset } from './dataset/prepare-dataset.ts';
export { compareWithParent } from './compare.ts';
export { FinetuneJobs } from './jobs.ts';
