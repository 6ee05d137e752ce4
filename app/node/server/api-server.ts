import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeEnvelope, encodeEnvelope, EnvelopeError, WIRE_CONTENT_TYPE } from '../../common/contract/wire.ts';
import type { ErrorInfo } from '../../common/errors.ts';
import { callApi } from '../services/call-api.ts';
import type { Handlers } from '../services/services.ts';
import { hasToken, hostAllowed, originAllowed, tokenCookie } from './auth.ts';
import type { EventStream } from './event-stream.ts';
import { setSecurityHeaders } from './security-headers.ts';
import { serveStatic } from './static-files.ts';
import { tokensEqual } from './token.ts';

export const API_PREFIX = '/api/call/';
export const EVENTS_PATH = '/api/events';
/** Requests are small (ids, paths, options); anything bigger is not ours. */
const MAX_REQUEST_BYTES = 1 << 20;

export interface ApiServerOptions {
  handlers: Handlers;
  token: string;
  /** The built renderer (vite build output). */
  staticDir: string;
  events: EventStream;
  /** 0 picks a free port. */
  port?: number;
  /** Limits on slow or stalled clients (defaults: DEFAULT_TIMEOUTS). */
  timeouts?: Partial<ServerTimeouts>;
}

export interface ServerTimeouts {
  /** The request line and headers must arrive within this. */
  headersMs: number;
  /** The whole request, body included, must arrive within this (responses, the event stream too, are not bounded). */
  requestMs: number;
  /** How often Node looks for requests past those limits. */
  checkIntervalMs: number;
}

/** Our requests are a few KB from a page on the same machine: seconds are generous. */
export const DEFAULT_TIMEOUTS: ServerTimeouts = { headersMs: 10_000, requestMs: 30_000, checkIntervalMs: 1_000 };

export interface RunningServer {
  port: number;
  /** The address to open, carrying the token. */
  url: string;
  close(): Promise<void>;
}

class HttpFailure extends Error {
  constructor(
    readonly status: number,
    readonly info: ErrorInfo,
  ) {
    super(info.message);
  }
}

function sendJsonError(res: ServerResponse, status: number, error: ErrorInfo): void {
  const body = JSON.stringify({ ok: false, error });
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

async function readBody(req: IncomingMessage): Promise<Uint8Array> {
  // A declared length over the limit is refused before a byte of the body is waited for.
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > MAX_REQUEST_BYTES)
    throw new HttpFailure(413, { code: 'INVALID_ARGUMENT', message: `request body of ${declared} bytes is over ${MAX_REQUEST_BYTES}` });
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_REQUEST_BYTES)
      throw new HttpFailure(413, { code: 'INVALID_ARGUMENT', message: `request body over ${MAX_REQUEST_BYTES} bytes` });
    chunks.push(chunk);
  }
  return new Uint8Array(Buffer.concat(chunks));
}

/**
 * Browser mode's transport: the renderer and the API table over HTTP on 127.0.0.1 only.
 * POST /api/call/<area.verb> with an envelope body (see contract/wire.ts) answers an envelope
 * `{ ok, value } | { ok: false, error }`; GET /api/events streams events; everything else is the
 * built renderer. Every request needs the launch token; transport-level problems (no token, bad
 * envelope, payload that fails the contract) are HTTP 4xx with a coded error body, while a
 * handler's own coded failure is data (200), exactly as over Electron IPC.
 */
export async function startApiServer(options: ApiServerOptions): Promise<RunningServer> {
  let port = options.port ?? 0;

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    setSecurityHeaders(res);
    if (!hostAllowed(req, port)) throw new HttpFailure(403, { code: 'UNAUTHORIZED', message: 'requests must be addressed to 127.0.0.1' });
    if (!originAllowed(req, port))
      throw new HttpFailure(403, { code: 'UNAUTHORIZED', message: 'requests from another origin are refused, token or not' });
    const url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`);

    // The printed URL: trade the query token for a cookie, then drop it from the address bar.
    if (req.method === 'GET' && url.pathname === '/' && url.searchParams.has('token')) {
      if (!tokensEqual(options.token, url.searchParams.get('token') ?? undefined))
        throw new HttpFailure(401, { code: 'UNAUTHORIZED', message: 'wrong token; use the URL printed by denseray serve' });
      res.writeHead(303, { Location: '/', 'Set-Cookie': tokenCookie(options.token) });
      res.end();
      return;
    }
    if (!hasToken(req, options.token))
      throw new HttpFailure(401, { code: 'UNAUTHORIZED', message: 'missing or wrong token; open the URL printed by denseray serve' });

    if (url.pathname === EVENTS_PATH && req.method === 'GET') {
      options.events.attach(res);
      return;
    }
    if (url.pathname.startsWith(API_PREFIX)) {
      if (req.method !== 'POST') throw new HttpFailure(405, { code: 'INVALID_ARGUMENT', message: 'API functions are called with POST' });
      if (req.headers['content-type'] !== WIRE_CONTENT_TYPE)
        throw new HttpFailure(415, { code: 'INVALID_ARGUMENT', message: `request body must be ${WIRE_CONTENT_TYPE}` });
      let payload: unknown;
      try {
        payload = decodeEnvelope(await readBody(req));
      } catch (error) {
        if (error instanceof EnvelopeError)
          throw new HttpFailure(400, { code: 'INVALID_ARGUMENT', message: `malformed request: ${error.message}` });
        throw error;
      }
      const outcome = await callApi(options.handlers, url.pathname.slice(API_PREFIX.length), payload);
      const body = encodeEnvelope(outcome.result);
      const status = outcome.status === 'handled' ? 200 : 400;
      res.writeHead(status, { 'Content-Type': WIRE_CONTENT_TYPE, 'Content-Length': body.byteLength });
      res.end(body);
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD')
      throw new HttpFailure(405, { code: 'INVALID_ARGUMENT', message: `${req.method} is not allowed here` });
    if (!(await serveStatic(options.staticDir, url.pathname, res)))
      throw new HttpFailure(404, { code: 'INVALID_ARGUMENT', message: `nothing at ${url.pathname}` });
  };

  const timeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
  // Slow or stalled clients (headers dribbled, a body declared and never sent) get 408 and are dropped.
  const server = createServer({ connectionsCheckingInterval: timeouts.checkIntervalMs }, (req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      if (error instanceof HttpFailure) sendJsonError(res, error.status, error.info);
      else sendJsonError(res, 500, { code: 'INTERNAL', message: 'the server failed to answer this request' });
    });
  });
  server.headersTimeout = timeouts.headersMs;
  server.requestTimeout = timeouts.requestMs;
  await new Promise<void>((resolveListen, rejectListen) => {
    server.once('error', rejectListen);
    // Loopback only: nothing on the network can reach browser mode.
    server.listen(port, '127.0.0.1', () => resolveListen());
  });
  port = (server.address() as AddressInfo).port;
  return {
    port,
    url: `http://127.0.0.1:${port}/?token=${options.token}`,
    close: () =>
      new Promise<void>((resolveClose) => {
        options.events.close();
        server.closeAllConnections();
        server.close(() => resolveClose());
      }),
  };
}
