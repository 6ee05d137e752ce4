import { NOT_A_MEDICAL_DEVICE, TRIAGE_SCORE_MEANING, type ReportData, WORKLIST_GROUP_MEANING } from './report-data.ts';

/** The machine-readable report: the job, the model, and one entry per study in worklist order. */
export function renderJson(data: ReportData): string {
  const report = {
    report: 'denseray-batch',
    version: 1,
    generatedAt: data.generatedAt,
    notAMedicalDevice: NOT_A_MEDICAL_DEVICE,
    job: data.job,
    model: {
      id: data.model.id,
      name: data.model.name,
      version: data.model.version,
      arch: data.model.arch,
      sha256: data.model.sha256,
      demo: data.model.demo,
      thresholds: data.model.thresholds,
    },
    ranking: { rule: data.rule, triageScore: TRIAGE_SCORE_MEANING, groups: WORKLIST_GROUP_MEANING },
    studies: data.rows.map(({ resultId: _resultId, ...row }) => row),
    /** Every other file of the job: copies of a study's image (with their own error if read and failed) and skipped files. */
    otherFiles: data.otherFiles,
  };
  return `${JSON.stringify(report, null, 2)}\n`;
}
