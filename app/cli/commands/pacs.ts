import { BackendChoice } from '../../common/contract/classify.ts';
import { PacsQuery, type PacsStudy, type PacsTriageResult } from '../../common/contract/dicom-node.ts';
import { NOT_A_MEDICAL_DEVICE } from '../../common/product.ts';
import { createLocalAnalysis } from '../../node/services/analysis/local-analysis.ts';
import { describeNodeEvent } from '../../node/services/dicom-node/describe-event.ts';
import { PacsService } from '../../node/services/dicom-node/pacs-service.ts';
import { resolveDataDir } from '../../node/shared/data-dir.ts';
import { toErrorInfo } from '../../node/shared/errors.ts';
import { ExitCode, printJson, reportFailure, type Command } from '../command.ts';
import { parsePositiveInt, runWithArgs, UsageError } from '../parse-args.ts';

const HELP = `Usage:
  denseray pacs search --url <dicomweb root> [filters] [--json]
  denseray pacs triage --url <dicomweb root> [filters] [--send-back] [--json]

Finds studies on a PACS with QIDO-RS; 'triage' retrieves their images (WADO-RS), stores and triages
each once (an image already here is not retrieved again) and, with --send-back only, stores the
DICOM SR and heatmap Secondary Captures back with STOW-RS. Results the PACS does not take now stay
pending and are sent by the next 'pacs triage' (or 'denseray listen').

Filters:
  --since <YYYYMMDD>      studies on or after this date
  --modality <M,…>        modalities in study (default CR,DX)
  --patient <id>          one patient
  --limit <n>             at most this many studies (default 100)
Options:
  --send-back             STOW-RS the SR and heatmaps to the same DICOMweb root (default: nothing is sent)
  --wait <s>              with --send-back: wait at most this long for the PACS to take them (default 60)
  --model <id>  --backend <auto|onnx|tfjs>  --threads <n>
  --json                  machine-readable output
  --data-dir <dir>        where models and the study store live
${NOT_A_MEDICAL_DEVICE}
`;

const OPTIONS = {
  url: { type: 'string' },
  since: { type: 'string' },
  modality: { type: 'string' },
  patient: { type: 'string' },
  limit: { type: 'string' },
  'send-back': { type: 'boolean' },
  wait: { type: 'string' },
  model: { type: 'string' },
  backend: { type: 'string' },
  threads: { type: 'string' },
  json: { type: 'boolean' },
  'data-dir': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export const pacsCommand: Command = {
  name: 'pacs',
  summary: 'search a PACS over DICOMweb, triage its studies, optionally send SR and heatmaps back',
  run: (argv) =>
    runWithArgs(argv, HELP, OPTIONS, async ({ values, positionals }) => {
      const [action] = positionals;
      if (action !== 'search' && action !== 'triage') throw new UsageError('pacs needs an action: search or triage');
      if (!values.url) throw new UsageError('pacs needs --url <DICOMweb root>, e.g. http://pacs:8042/dicom-web');
      const query = PacsQuery.safeParse({
        url: values.url,
        ...(values.since ? { since: values.since } : {}),
        ...(values.modality ? { modalities: values.modality.split(',').map((m) => m.trim().toUpperCase()) } : {}),
        ...(values.patient ? { patientId: values.patient } : {}),
        ...(values.limit ? { limit: parsePositiveInt(values.limit, '--limit') } : {}),
      });
      if (!query.success) throw new UsageError(query.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
      const backend = values.backend === undefined ? undefined : BackendChoice.safeParse(values.backend);
      if (backend && !backend.success) throw new UsageError(`--backend must be auto, onnx or tfjs, got "${values.backend}"`);
      const json = values.json === true;
      const dataDir = resolveDataDir(values['data-dir']);
      const analysis = createLocalAnalysis(dataDir);
      const model = { modelId: values.model, backend: backend?.data, threads: parsePositiveInt(values.threads, '--threads') };
      const service = new PacsService({
        dataDir,
        analysis,
        model,
        onEvent: (event) => {
          if (json) return;
          if (event.kind === 'retrieved') process.stderr.write(`retrieved ${event.sopInstanceUid} (${event.bytes} bytes)\n`);
          else process.stderr.write(`${describeNodeEvent(event).text}\n`);
        },
      });
      try {
        if (action === 'search') {
          const studies = await service.search(query.data);
          if (json) printJson({ ok: true, studies });
          else process.stdout.write(renderStudies(studies));
          return ExitCode.ok;
        }
        const waitSeconds = parsePositiveInt(values.wait, '--wait') ?? 60;
        const result = await service.triage(
          { ...query.data, sendBack: values['send-back'] === true },
          { deliverWithinMs: waitSeconds * 1000 },
        );
        if (json) printJson({ ok: true, ...result });
        else process.stdout.write(renderTriage(result, values['send-back'] === true));
        return result.instances.some((i) => i.state === 'failed') ? ExitCode.partialFailure : ExitCode.ok;
      } catch (error) {
        return reportFailure(`pacs ${action}`, toErrorInfo(error), json);
      } finally {
        analysis.close();
      }
    }),
};

function renderStudies(studies: PacsStudy[]): string {
  if (studies.length === 0) return 'no studies match\n';
  const header = `${'date'.padEnd(8)}  ${'patient'.padEnd(16)}  ${'modality'.padEnd(8)}  ${'imgs'.padStart(4)}  study instance UID  description`;
  return `${header}\n${studies
    .map(
      (s) =>
        `${s.studyDate ?? '--------'}  ${(s.patientId ?? '').padEnd(16)}  ${s.modalities.join('\\').padEnd(8)}  ${String(s.instances ?? '?').padStart(4)}  ${s.studyInstanceUid}  ${s.description ?? ''}`,
    )
    .join('\n')}\n`;
}

function renderTriage(result: PacsTriageResult, sendBack: boolean): string {
  const lines = result.instances.map((i) =>
    i.state === 'triaged'
      ? `${i.sopInstanceUid}  score ${i.triageScore?.toFixed(3)}  ${i.flagged.length ? i.flagged.join(', ') : 'nothing at or above threshold'}`
      : `${i.sopInstanceUid}  ${i.state}${i.code ? `: ${i.code}: ${i.message}` : ''}`,
  );
  const model = result.model
    ? `model ${result.model.name} ${result.model.version}, weights ${result.model.sha256.slice(0, 12)}${result.model.demo ? ' (UNTRAINED DEMO)' : ''}`
    : 'no image needed the model';
  const sent = sendBack
    ? `; results sent: ${result.sent}, pending: ${result.pending}`
    : '; nothing sent (--send-back sends the SR and heatmaps)';
  return `${lines.join('\n')}\n${result.studies} studies, ${result.instances.length} images; ${model}${sent}\n`;
}
