import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeEnvelope, WIRE_CONTENT_TYPE } from '../../app/common/contract/wire.ts';
import { startApiServer, type RunningServer } from '../../app/node/server/api-server.ts';
import { EventStream } from '../../app/node/server/event-stream.ts';
import { type Backend, createBackend } from '../../app/node/services/backend.ts';

const TOKEN = 'hostile-test-token-0123456789abcdef';
const work = mkdtempSync(join(tmpdir(), 'denseray-hostile-serve-'));
let server: RunningServer;
let backend: Backend;
let origin: string;

beforeAll(async () => {
  const staticDir = join(work, 'ui');
  const dataDir = join(work, 'data');
  mkdirSync(staticDir, { recursive: true });
  writeFileSync(join(staticDir, 'index.html'), '<!doctype html><title>DenseRay</title>');
  const events = new EventStream();
  backend = createBackend({ dataDir, emit: (e) => events.broadcast(e) });
  // Short limits so a stalled client is dropped within the test's time; the defaults are seconds.
  server = await startApiServer({
    handlers: backend.handlers,
    token: TOKEN,
    staticDir,
    events,
    timeouts: { headersMs: 1_500, requestMs: 2_000, checkIntervalMs: 250 },
  });
  origin = `http://127.0.0.1:${server.port}`;
});
afterAll(async () => {
  await server?.close();
  await backend?.close();
  rmSync(work, { recursive: true, force: true });
});

const auth = { Authorization: `Bearer ${TOKEN}` };

describe('serve refuses other origins even with the token', () => {
  it('its own page (or no Origin: a non-browser client) is answered', async () => {
    expect((await fetch(`${origin}/`, { headers: { ...auth, Origin: origin } })).status).toBe(200);
    expect((await fetch(`${origin}/`, { headers: auth })).status).toBe(200);
  });

  for (const evil of ['https://evil.example', 'null', 'http://127.0.0.1:1', 'http://localhost.evil.example']) {
    it(`Origin: ${evil} gets 403 UNAUTHORIZED on the API and the UI`, async () => {
      const call = await fetch(`${origin}/api/call/models.list`, {
        method: 'POST',
        headers: { ...auth, Origin: evil, 'Content-Type': WIRE_CONTENT_TYPE },
        body: encodeEnvelope({}),
      });
      expect(call.status).toBe(403);
      expect(((await call.json()) as { error: { code: string } }).error.code).toBe('UNAUTHORIZED');
      expect((await fetch(`${origin}/`, { headers: { ...auth, Origin: evil } })).status).toBe(403);
    });
  }
});

/** Sends raw bytes and resolves with what came back before the server closed (or the deadline). */
function rawExchange(bytes: string, deadlineMs: number): Promise<{ reply: string; closed: boolean; ms: number }> {
  return new Promise((resolve) => {
    const started = Date.now();
    const socket = connect(server.port, '127.0.0.1');
    let reply = '';
    const finish = (closed: boolean): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ reply, closed, ms: Date.now() - started });
    };
    const timer = setTimeout(() => finish(false), deadlineMs);
    socket.on('data', (d) => (reply += d.toString('latin1')));
    socket.on('close', () => finish(true));
    socket.on('error', () => finish(true));
    socket.write(bytes);
  });
}

const post = (length: number): string =>
  `POST /api/call/models.list HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nAuthorization: Bearer ${TOKEN}\r\n` +
  `Content-Type: ${WIRE_CONTENT_TYPE}\r\nContent-Length: ${length}\r\n\r\n0123456789abcdef`;

describe('serve drops slow and stalled clients', () => {
  it('a body declared at 200 MB is refused (413) at once, without waiting for it', async () => {
    const run = await rawExchange(post(200 * 1024 * 1024), 10_000);
    expect(run.reply).toMatch(/^HTTP\/1\.1 413/);
    expect(run.ms).toBeLessThan(5_000);
  });

  it('a body declared at 1000 bytes that stops after 16 is answered 408 and closed', async () => {
    const run = await rawExchange(post(1000), 15_000);
    expect(run.closed).toBe(true);
    expect(run.reply).toMatch(/^HTTP\/1\.1 408/);
  });

  it('headers that never end are cut off', async () => {
    const run = await rawExchange(`GET / HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nX-Slow: `, 15_000);
    expect(run.closed).toBe(true);
  });
});
