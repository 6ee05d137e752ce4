import { BackendChoice } from '../../common/contract/classify.ts';
import { type DicomPeer, ListenerSettings } from '../../common/contract/dicom-node.ts';
import { NOT_A_MEDICAL_DEVICE } from '../../common/product.ts';
import { createLocalAnalysis } from '../../node/services/analysis/local-analysis.ts';
import { DicomNodeService } from '../../node/services/dicom-node/dicom-node-service.ts';
import { describeNodeEvent, howItRan, parsePeerArgument } from '../../node/services/dicom-node/describe-event.ts';
import { resolveDataDir } from '../../node/shared/data-dir.ts';
import { toErrorInfo } from '../../node/shared/errors.ts';
import { ExitCode, reportFailure, type Command } from '../command.ts';
import { parsePositiveInt, runWithArgs, UsageError } from '../parse-args.ts';

const HELP = `Usage: denseray listen --allow <AET[,AET…]> [options]

Runs DenseRay as a DICOM node: a C-ECHO/C-STORE listener. Every instance received is stored in the
study store (once per SOP Instance UID), triaged with the active model, and — only when --send-to
is given — its result goes back as a DICOM Structured Report (TID 1500) and a Secondary Capture per
heatmap, by C-STORE, retried with back-off while the destination is down. Stops on Ctrl-C.

Options:
  --aet <title>           this node's AE title (default DENSERAY)
  --port <n>              TCP port (default 11112; 0 picks a free one and prints it)
  --bind <address>        listen on this address only (default: every interface)
  --allow <AET,…>         calling AE titles that may send; others are rejected at association
  --allow-any             accept any calling AE title (only on a closed network)
  --send-to <AET@host:port>  where SR and heatmaps go (default: nowhere; results stay here)
  --report-refusals       also send an SR for images stored but not assessed (not a chest X-ray)
  --model <id>            an installed model (default: the active one)
  --backend <b>           auto | onnx | tfjs
  --threads <n>           inference threads
  --retry-delay <s>       first retry of an unsent result after this many seconds (default 2; doubles up to --retry-max)
  --retry-max <s>         longest wait between retries (default 300)
  --idle-timeout <s>      abort an association silent this long (default 60)
  --json                  one JSON object per event on stdout
  --data-dir <dir>        where models and the study store live

See what arrived and what was sent: denseray jobs transfers.
${NOT_A_MEDICAL_DEVICE}
`;

const OPTIONS = {
  aet: { type: 'string' },
  port: { type: 'string' },
  bind: { type: 'string' },
  allow: { type: 'string' },
  'allow-any': { type: 'boolean' },
  'send-to': { type: 'string' },
  'report-refusals': { type: 'boolean' },
  model: { type: 'string' },
  backend: { type: 'string' },
  threads: { type: 'string' },
  'retry-delay': { type: 'string' },
  'retry-max': { type: 'string' },
  'idle-timeout': { type: 'string' },
  json: { type: 'boolean' },
  'data-dir': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export const listenCommand: Command = {
  name: 'listen',
  summary: 'run as a DICOM node: receive studies (C-STORE), triage them, send SR and heatmaps back',
  run: (argv) =>
    runWithArgs(argv, HELP, OPTIONS, async ({ values, positionals }) => {
      if (positionals.length > 0) throw new UsageError(`listen takes no arguments, got "${positionals[0]}"`);
      const allow = (values.allow ?? '')
        .split(',')
        .map((a) => a.trim())
        .filter(Boolean);
      if (allow.length === 0 && values['allow-any'] !== true)
        throw new UsageError('say which calling AE titles may send (--allow MODALITY1,PACS) or, on a closed network, --allow-any');
      let sendTo: DicomPeer | null = null;
      if (values['send-to'] !== undefined) {
        sendTo = parsePeerArgument(values['send-to']) ?? null;
        if (!sendTo) throw new UsageError(`--send-to expects AET@host:port, got "${values['send-to']}"`);
      }
      const backend = values.backend === undefined ? undefined : BackendChoice.safeParse(values.backend);
      if (backend && !backend.success) throw new UsageError(`--backend must be auto, onnx or tfjs, got "${values.backend}"`);
      const parsed = ListenerSettings.safeParse({
        aeTitle: values.aet ?? 'DENSERAY',
        port: parsePositiveInt(values.port, '--port') ?? 11112,
        ...(values.bind ? { host: values.bind } : {}),
        allow,
        allowAny: values['allow-any'] === true,
        sendTo,
        reportRefusals: values['report-refusals'] === true,
      });
      if (!parsed.success)
        throw new UsageError(parsed.error.issues.map((i) => `${i.path.join('.') || 'settings'}: ${i.message}`).join('; '));
      const json = values.json === true;
      const retryDelay = parsePositiveInt(values['retry-delay'], '--retry-delay');
      const retryMax = parsePositiveInt(values['retry-max'], '--retry-max');
      const idle = parsePositiveInt(values['idle-timeout'], '--idle-timeout');
      const dataDir = resolveDataDir(values['data-dir']);
      const model = { modelId: values.model, backend: backend?.data, threads: parsePositiveInt(values.threads, '--threads') };

      const analysis = createLocalAnalysis(dataDir);
      const write = (line: string) => process.stdout.write(`${line}\n`);
      try {
        const info = await analysis.open(model);
        const banner = `model ${info.name} ${info.version}, weights ${info.sha256.slice(0, 12)}, ${howItRan(info)}${info.demo ? ' — UNTRAINED DEMO: scores mean nothing' : ''}`;
        if (json) write(JSON.stringify({ event: 'model', model: info }));
        else process.stderr.write(`${banner}\n${NOT_A_MEDICAL_DEVICE}\n`);
      } catch (error) {
        analysis.close();
        return reportFailure('listen', toErrorInfo(error), json);
      }
      const node = new DicomNodeService({
        dataDir,
        analysis,
        model,
        ...(retryDelay !== undefined || retryMax !== undefined
          ? { retry: { firstDelayMs: (retryDelay ?? 2) * 1000, maxDelayMs: (retryMax ?? 300) * 1000 } }
          : {}),
        ...(idle ? { idleTimeoutMs: idle * 1000 } : {}),
        onEvent: (event) => {
          const described = describeNodeEvent(event);
          if (json) write(JSON.stringify(described.json));
          else write(`${new Date().toLocaleTimeString()} ${described.text}`);
        },
      });
      try {
        await node.start(parsed.data);
      } catch (error) {
        analysis.close();
        return reportFailure('listen', toErrorInfo(error), json);
      }
      const settings = parsed.data;
      if (!json) {
        process.stderr.write(
          `accepting ${settings.allowAny ? 'any calling AE title' : settings.allow.join(', ')}; ` +
            `${settings.sendTo ? `results go to ${settings.sendTo.aet}@${settings.sendTo.host}:${settings.sendTo.port}` : 'results stay here (no --send-to)'}. Ctrl-C stops.\n`,
        );
      }
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      const status = await node.stop();
      analysis.close();
      const c = status.counts;
      const summary = `stopped: ${c.received} stored (${c.triaged} triaged, ${c.refused} not assessed, ${c.failed} unreadable, ${c.waiting} waiting), ${c.duplicates} duplicates, ${c.sent} results sent, ${c.pending} pending`;
      if (json) write(JSON.stringify({ event: 'stopped', counts: c }));
      else process.stderr.write(`${summary}\n`);
      return ExitCode.ok;
    }),
};
