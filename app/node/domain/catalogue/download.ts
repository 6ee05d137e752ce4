import { closeSync, existsSync, openSync, rmSync, statSync, writeSync } from 'node:fs';
import { Readable, Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { DenseRayError } from '../../shared/errors.ts';

export interface DownloadProgress {
  receivedBytes: number;
  totalBytes: number | null;
}

export interface DownloadOptions {
  /** Where the bytes accumulate; kept on interruption so the next attempt resumes with an HTTP Range. */
  partFile: string;
  expectedBytes?: number | null;
  signal?: AbortSignal;
  onProgress?: (p: DownloadProgress) => void;
  /** Attempts after a connection drops mid-file, each resuming where the last stopped. */
  retries?: number;
}

export interface DownloadResult {
  bytes: number;
  /** True when any bytes came from a Range request (an earlier attempt's partial file). */
  resumed: boolean;
}

/** Network errors whose cause means "no route to the host", as opposed to a transfer that broke. */
const UNREACHABLE = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'ECONNABORTED',
  'UND_ERR_CONNECT_TIMEOUT',
]);

/**
 * Downloads `url` into `partFile` with Node's fetch, resuming a partial file with `Range: bytes=n-`.
 * A server that ignores the range (200) restarts the file; one that cannot satisfy it (416) with a
 * complete-looking part ends the download. Errors are DenseRayErrors: NETWORK_OFFLINE,
 * DOWNLOAD_NOT_FOUND, DOWNLOAD_FAILED, DISK_FULL, CANCELLED. Nothing here reads the file's content.
 */
export async function downloadToPart(url: string, options: DownloadOptions): Promise<DownloadResult> {
  const retries = options.retries ?? 3;
  let resumed = false;
  for (let attempt = 0; ; attempt++) {
    try {
      const r = await attemptDownload(url, options);
      return { bytes: r.bytes, resumed: resumed || r.resumed };
    } catch (error) {
      const interrupted = error instanceof Interrupted;
      if (!interrupted || attempt >= retries || options.signal?.aborted) throw interrupted ? error.asError(url) : error;
      resumed = true;
    }
  }
}

/** A transfer that broke after it started: worth resuming. */
class Interrupted extends Error {
  constructor(readonly reason: unknown) {
    super('interrupted');
  }

  asError(url: string): DenseRayError {
    const detail = this.reason instanceof Error ? this.reason.message : String(this.reason);
    return new DenseRayError('DOWNLOAD_FAILED', `the download from ${url} broke off (${detail}); run the fetch again to resume it`, {
      cause: this.reason,
      details: { url, resumable: true },
    });
  }
}

async function attemptDownload(url: string, options: DownloadOptions): Promise<DownloadResult> {
  const have = existsSync(options.partFile) ? statSync(options.partFile).size : 0;
  const headers: Record<string, string> = have > 0 ? { range: `bytes=${have}-` } : {};
  let response: Response;
  try {
    response = await fetch(url, { headers, redirect: 'follow', ...(options.signal ? { signal: options.signal } : {}) });
  } catch (error) {
    throw requestError(error, url, options.signal);
  }
  if (response.status === 416 && have > 0) {
    await response.body?.cancel();
    const total = totalFromContentRange(response.headers.get('content-range'));
    if (total === have || (total === null && options.expectedBytes === have)) return { bytes: have, resumed: true };
    rmSync(options.partFile, { force: true }); // the part is longer than the file or stale: start over
    return attemptDownload(url, options);
  }
  if (response.status === 404 || response.status === 410) {
    await response.body?.cancel();
    throw new DenseRayError(
      'DOWNLOAD_NOT_FOUND',
      `${url} answered ${response.status}: the file is not there (moved or withdrawn); check the catalogue entry`,
      { details: { url, status: response.status } },
    );
  }
  if (response.status !== 200 && response.status !== 206) {
    await response.body?.cancel();
    throw new DenseRayError('DOWNLOAD_FAILED', `${url} answered HTTP ${response.status}`, { details: { url, status: response.status } });
  }
  let start = 0;
  if (response.status === 206) {
    start = startFromContentRange(response.headers.get('content-range')) ?? -1;
    if (start !== have) {
      await response.body?.cancel();
      rmSync(options.partFile, { force: true });
      throw new Interrupted(new Error(`server resumed at byte ${start}, not ${have}`));
    }
  }
  const length = Number(response.headers.get('content-length'));
  const total =
    response.status === 206
      ? totalFromContentRange(response.headers.get('content-range'))
      : Number.isFinite(length) && length > 0
        ? length
        : null;
  if (total !== null && options.expectedBytes != null && total !== options.expectedBytes) {
    await response.body?.cancel();
    throw new DenseRayError('CHECKSUM_MISMATCH', `${url} offers ${total} bytes, the catalogue expects ${options.expectedBytes}`, {
      details: { url, bytes: total },
    });
  }
  if (!response.body) throw new Interrupted(new Error('empty response body'));
  let received = start;
  options.onProgress?.({ receivedBytes: received, totalBytes: total });
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      received += chunk.length;
      options.onProgress?.({ receivedBytes: received, totalBytes: total });
      done(null, chunk);
    },
  });
  // Synchronous writes: every byte received is on disk when the connection drops, so a resume
  // asks for exactly the rest (a write stream would lose what it still buffered when destroyed).
  let fd: number | undefined;
  try {
    fd = openSync(options.partFile, start === 0 ? 'w' : 'a');
    const file = fd;
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        try {
          writeSync(file, chunk);
          done();
        } catch (error) {
          done(error as Error);
        }
      },
    });
    await pipeline(Readable.fromWeb(response.body as WebReadableStream<Uint8Array>), counter, sink);
  } catch (error) {
    if (options.signal?.aborted) throw cancelled(url);
    if (errnoCode(error) === 'ENOSPC') {
      throw new DenseRayError(
        'DISK_FULL',
        `the disk is full while saving ${url}; free space and fetch again (the partial file ${options.partFile} is kept to resume)`,
        { cause: error },
      );
    }
    if (errnoCode(error) !== undefined && /^E(ACCES|PERM|ROFS|IO)$/.test(errnoCode(error)!)) {
      throw new DenseRayError('FILE_UNREADABLE', `cannot write ${options.partFile}: ${(error as Error).message}`, { cause: error });
    }
    throw new Interrupted(error);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
  if (total !== null && received !== total) throw new Interrupted(new Error(`received ${received} of ${total} bytes`));
  return { bytes: received, resumed: start > 0 };
}

function requestError(error: unknown, url: string, signal: AbortSignal | undefined): DenseRayError {
  if (signal?.aborted) return cancelled(url);
  const code = errnoCode(error);
  if (code === undefined || UNREACHABLE.has(code)) {
    return new DenseRayError(
      'NETWORK_OFFLINE',
      `cannot reach ${new URL(url).host}${code ? ` (${code})` : ''}: this machine looks offline, or the host is unreachable; on an air-gapped machine copy the file over and use \`denseray models import <file>\``,
      {
        cause: error,
        details: { url, ...(code ? { cause: code } : {}) },
      },
    );
  }
  return new DenseRayError('DOWNLOAD_FAILED', `requesting ${url} failed (${code})`, { cause: error, details: { url, cause: code } });
}

function cancelled(url: string): DenseRayError {
  return new DenseRayError('CANCELLED', `download of ${url} cancelled; the partial file is kept to resume`, { details: { url } });
}

/** The errno-style code of an error or of its cause chain (fetch wraps socket errors in `cause`). */
function errnoCode(error: unknown): string | undefined {
  for (let e: unknown = error, depth = 0; e !== undefined && e !== null && depth < 5; depth++) {
    if (typeof e === 'object' && 'code' in e && typeof (e as { code: unknown }).code === 'string') return (e as { code: string }).code;
    e = typeof e === 'object' && 'cause' in e ? (e as { cause: unknown }).cause : undefined;
  }
  return undefined;
}

function startFromContentRange(header: string | null): number | null {
  const m = header ? /^bytes (\d+)-\d+\/(\d+|\*)$/.exec(header.trim()) : null;
  return m ? Number(m[1]) : null;
}

function totalFromContentRange(header: string | null): number | null {
  const m = header ? /\/(\d+)$/.exec(header.trim()) : null;
  return m ? Number(m[1]) : null;
}
