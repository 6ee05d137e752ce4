import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ApiEvent } from '../../common/contract/api.ts';
import { resolveDataDir } from '../../node/shared/data-dir.ts';
import { ModelStore } from '../../node/domain/store/model-store.ts';
import { EventStream } from '../../node/server/event-stream.ts';
import { startApiServer } from '../../node/server/api-server.ts';
import { newToken } from '../../node/server/token.ts';
import { JobsHost } from '../../node/services/jobs/jobs-host.ts';
import { createHandlers } from '../../node/services/services.ts';
import { StudiesService } from '../../node/services/studies/studies-service.ts';
import { ExitCode, type Command } from '../command.ts';
import { parsePositiveInt, runWithArgs, UsageError } from '../parse-args.ts';

export const RENDERER_DIST = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'dist', 'renderer');

const HELP = `Usage: denseray serve [--port <n>] [--data-dir <dir>]

Browser mode: serves the DenseRay app on http://127.0.0.1 (this machine only) and prints a URL
with a random token for this launch; every request must carry it. Build the UI first with
\`npm run build:renderer\`. Stop with Ctrl+C.

Options:
  --port <n>          port to listen on (default: a free one)
  --data-dir <dir>    where models live (default: DENSERAY_DATA_DIR or the OS app-data folder)
  --renderer <dir>    the built renderer to serve (default: dist/renderer)

DenseRay is not a medical device.
`;

const OPTIONS = {
  port: { type: 'string' },
  'data-dir': { type: 'string' },
  renderer: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export const serveCommand: Command = {
  name: 'serve',
  summary: 'run the app in a browser (127.0.0.1 only, per-launch token)',
  run: (argv) =>
    runWithArgs(argv, HELP, OPTIONS, async ({ values, positionals }) => {
      if (positionals.length > 0) throw new UsageError(`serve takes no file arguments (got "${positionals[0]}")`);
      const port = parsePositiveInt(values.port, '--port');
      if (port !== undefined && port > 65535) throw new UsageError('--port must be at most 65535');
      const staticDir = values.renderer ?? RENDERER_DIST;
      if (!existsSync(join(staticDir, 'index.html'))) {
        process.stderr.write(`denseray serve: no built UI in ${staticDir}; run \`npm run build:renderer\` first\n`);
        return ExitCode.failure;
      }
      const dataDir = resolveDataDir(values['data-dir']);
      const models = new ModelStore(dataDir);
      const events = new EventStream();
      const emit = (event: ApiEvent): void => events.broadcast(event);
      const studies = new StudiesService({ dataDir, models, emit });
      // Batch jobs and fine-tuning run in a child process, so they never hold up the HTTP server.
      const jobsHost = new JobsHost({ dataDir, emit });
      const handlers = createHandlers({ dataDir, models, studies, jobsHost, emit });
      const server = await startApiServer({ handlers, token: newToken(), staticDir, events, ...(port !== undefined ? { port } : {}) });
      process.stdout.write(
        `DenseRay is running in browser mode. Open:\n\n  ${server.url}\n\nData folder: ${dataDir}\nDenseRay is not a medical device. Ctrl+C stops it.\n`,
      );

      await new Promise<void>((resolveStop) => {
        const stop = (): void => resolveStop();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      studies.close();
      await jobsHost.close();
      await server.close();
      return ExitCode.ok;
    }),
};
