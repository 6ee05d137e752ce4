// Browser mode's gate (`denseray serve`): no token, a forged token, a forged payload and a foreign
// Host are all refused with coded errors. The reading room itself is driven in Chromium by
// reading-room.test.ts.
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeEnvelope, encodeEnvelope, WIRE_CONTENT_TYPE } from '../../app/common/contract/wire.ts';
import { buildRendererIfNeeded } from './build-renderer.ts';
import { startServe, type ServeProcess } from './serve-process.ts';

let serve: ServeProcess;
let work: string;

beforeAll(async () => {
  buildRendererIfNeeded();
  work = mkdtempSync(join(tmpdir(), 'denseray-e2e-gate-'));
  serve = await startServe(join(work, 'data'));
}, 180_000);

afterAll(async () => {
  await serve?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

interface RawResponse {
  status: number;
  type: string | undefined;
  body: Buffer;
}

function raw(path: string, options: { method?: string; headers?: Record<string, string>; body?: Uint8Array } = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: serve.port,
        path,
        method: options.method ?? 'GET',
        headers: { Host: `127.0.0.1:${serve.port}`, ...options.headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode!, type: res.headers['content-type'], body: Buffer.concat(chunks) }));
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

function errorOf(response: RawResponse): { code: string; message: string } {
  const value = (
    response.type === WIRE_CONTENT_TYPE ? decodeEnvelope(new Uint8Array(response.body)) : JSON.parse(response.body.toString())
  ) as { ok: boolean; error: { code: string; message: string } };
  expect(value.ok).toBe(false);
  return value.error;
}

describe('browser mode refuses what it should', () => {
  const call = (method: string, payload: unknown, headers: Record<string, string> = { Authorization: `Bearer ${serve.token}` }) =>
    raw(`/api/call/${method}`, {
      method: 'POST',
      headers: { 'Content-Type': WIRE_CONTENT_TYPE, ...headers },
      body: encodeEnvelope(payload),
    });

  it('answers a proper call', async () => {
    const response = await call('app.about', {});
    expect(response.status).toBe(200);
    expect(decodeEnvelope(new Uint8Array(response.body))).toMatchObject({ ok: true, value: { product: 'DenseRay' } });
  });

  it('rejects requests without the token, or with a forged one, with 401 UNAUTHORIZED', async () => {
    for (const response of [
      await call('app.about', {}, {}),
      await call('app.about', {}, { Authorization: `Bearer ${serve.token.slice(1)}x` }),
      await call('app.about', {}, { Cookie: 'denseray_token=forged' }),
      await raw('/'),
      await raw('/?token=forged'),
      await raw('/api/events'),
    ]) {
      expect(response.status).toBe(401);
      expect(errorOf(response).code).toBe('UNAUTHORIZED');
    }
  });

  it('rejects forged payloads with 400 INVALID_ARGUMENT before any handler runs', async () => {
    const forged = [
      await call('studies.pixels', { id: '../../etc/passwd', frame: 0 }),
      await call('studies.open', { paths: 'not-a-list' }),
      await call('studies.classify', { ids: [], extra: 1 }),
      await call('no.suchFunction', {}),
    ];
    for (const response of forged) {
      expect(response.status).toBe(400);
      expect(errorOf(response).code).toBe('INVALID_ARGUMENT');
    }
    const garbage = await raw('/api/call/app.about', {
      method: 'POST',
      headers: { 'Content-Type': WIRE_CONTENT_TYPE, Authorization: `Bearer ${serve.token}` },
      body: new Uint8Array([255, 255, 255, 255, 1, 2]),
    });
    expect(garbage.status).toBe(400);
    expect(errorOf(garbage).code).toBe('INVALID_ARGUMENT');
    const unknownStudy = await call('studies.tags', { id: 'szzzz' });
    expect(unknownStudy.status).toBe(200); // well-formed: the handler answers with a coded error as data
    expect(errorOf(unknownStudy).code).toBe('INVALID_ARGUMENT');
  });

  it('refuses another Host (DNS rebinding) and serves nothing outside the renderer', async () => {
    const rebound = await raw('/', { headers: { Host: 'evil.example:80', Authorization: `Bearer ${serve.token}` } });
    expect(rebound.status).toBe(403);
    const traversal = await raw('/..%2f..%2fpackage.json', { headers: { Authorization: `Bearer ${serve.token}` } });
    expect(traversal.status).toBe(404);
  });
});
