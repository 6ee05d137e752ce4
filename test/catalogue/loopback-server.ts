import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A loopback HTTP server (127.0.0.1, random port) standing in for the publishers' hosts. Routes:
 *   /ok/<key>       the file, with Range support (206 + Content-Range)
 *   /cut/<key>      the first plain request sends half the file and drops the connection; later ones as /ok
 *   /corrupt/<key>  the file with one byte flipped
 *   /stall/<key>    half the file, then nothing (for cancelling)
 *   anything else   404
 */
export interface Loopback {
  url(route: string, key: string): string;
  /** Range headers received, in order ('' for none). */
  ranges: string[];
  close(): Promise<void>;
}

export async function startLoopback(files: Map<string, Uint8Array>): Promise<Loopback> {
  const ranges: string[] = [];
  const cutDone = new Set<string>();
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const [, route, key] = (req.url ?? '').split('/');
    const body = key ? files.get(decodeURIComponent(key)) : undefined;
    ranges.push(req.headers.range ?? '');
    if (!body || !route || !['ok', 'cut', 'corrupt', 'stall'].includes(route)) {
      res.writeHead(404).end('not found');
      return;
    }
    if (route === 'stall') {
      res.writeHead(200, { 'content-length': body.length });
      res.write(body.subarray(0, body.length >> 1));
      return; // never ends: the client cancels
    }
    if (route === 'cut' && !cutDone.has(key!) && !req.headers.range) {
      cutDone.add(key!);
      res.writeHead(200, { 'content-length': body.length });
      res.write(body.subarray(0, body.length >> 1), () => res.socket?.destroy());
      return;
    }
    const data = route === 'corrupt' ? flipped(body) : body;
    const m = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    if (m) {
      const start = Number(m[1]);
      if (start >= data.length) {
        res.writeHead(416, { 'content-range': `bytes */${data.length}` }).end();
        return;
      }
      res.writeHead(206, { 'content-length': data.length - start, 'content-range': `bytes ${start}-${data.length - 1}/${data.length}` });
      res.end(data.subarray(start));
      return;
    }
    res.writeHead(200, { 'content-length': data.length });
    res.end(data);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: (route, key) => `http://127.0.0.1:${port}/${route}/${encodeURIComponent(key)}`,
    ranges,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function flipped(bytes: Uint8Array): Uint8Array {
  const copy = Uint8Array.from(bytes);
  const i = copy.length >> 1;
  copy[i] = copy[i]! ^ 0xff;
  return copy;
}

/** A port on 127.0.0.1 that nothing listens on: bound, then closed. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
