import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { ApiEvent } from '../../common/contract/api.ts';
import { EventStream } from '../../node/server/event-stream.ts';
import { startApiServer } from '../../node/server/api-server.ts';
import { buildRendererIfNeeded, RENDERER_DIST } from '../../node/server/renderer-build.ts';
import { newToken } from '../../node/server/token.ts';
import { createBackend } from '../../node/services/backend.ts';
import { resolveDataDir } from '../../node/shared/data-dir.ts';
import { ExitCode, type Command } from '../command.ts';
import { parsePositiveInt, runWithArgs, UsageError } from '../parse-args.ts';

const HELP = `Usage: denseray serve [--port <n>] [--data-dir <dir>]

Browser mode: serves the DenseRay app on http://127.0.0.1 (this machine only) and prints a URL
with a random token for this launch; every request must carry it. The UI is built on the first
start (and after an update). Stop with Ctrl+C.

Options:
  --port <n>          port to listen on (default: a free one)
  --data-dir <dir>    where models live (default: DENSERAY_DATA_DIR or the OS app-data folder)
  --renderer <dir>    serve this built UI instead of dist/renderer

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
      if (!values.renderer) buildRendererIfNeeded((line) => process.stderr.write(`${line}\n`));
      const staticDir = values.renderer ?? RENDERER_DIST;
      if (!existsSync(join(staticDir, 'index.html'))) {
        process.stderr.write(`denseray serve: no built UI in ${staticDir} (build it with \`npm run build:renderer\`)\n`);
        return ExitCode.failure;
      }
      const dataDir = resolveDataDir(values['data-dir']);
      const events = new EventStream();
      const emit = (event: ApiEvent): void => events.broadcast(event);
      // Files are parsed, models run and batch jobs work in child processes, so the HTTP server never waits on them.
      const backend = createBackend({ dataDir, emit });
      const server = await startApiServer({
        handlers: backend.handlers,
        token: newToken(),
        staticDir,
        events,
        ...(port !== undefined ? { port } : {}),
      });
      process.stdout.write(
        `DenseRay is running in browser mode. Open:\n\n  ${server.url}\n\nData folder: ${dataDir}\nDenseRay is not a medical device. Ctrl+C stops it.\n`,
      );
      await new Promise<void>((resolveStop) => {
        const stop = (): void => resolveStop();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      await backend.close();
      await server.close();
      return ExitCode.ok;
    }),
};
