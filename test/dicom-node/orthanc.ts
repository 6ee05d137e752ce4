import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A real Orthanc (Debian `orthanc` + `orthanc-dicomweb`) on loopback as the PACS: its own temp
 * storage, random free ports, the DICOMweb plugin, and DenseRay's listener known as a modality.
 */
const PLUGIN_CANDIDATES = ['/usr/share/orthanc/plugins/libOrthancDicomWeb.so', '/usr/lib/orthanc/libOrthancDicomWeb.so.1.7'];

export function orthancMissing(): string | undefined {
  if (spawnSync('Orthanc', ['--version']).error) return 'Orthanc is not installed (apt-get install orthanc orthanc-dicomweb)';
  if (!PLUGIN_CANDIDATES.some(existsSync)) return 'the Orthanc DICOMweb plugin is not installed (apt-get install orthanc-dicomweb)';
  for (const tool of ['storescu', 'echoscu', 'dciodvfy', 'dsrdump']) {
    if (spawnSync(tool, ['--version']).error && spawnSync(tool, []).error) return `${tool} is not installed (dcmtk, dicom3tools)`;
  }
  return undefined;
}

/**
 * Why a DICOM node suite cannot run here (undefined: it can). A developer without the tools gets
 * the suite skipped with the reason; CI, which installs them (.ci/run), must not pass by skipping.
 */
export function dicomNodeSkip(suite: string): string | undefined {
  const missing = orthancMissing();
  if (missing && process.env.CI) throw new Error(`${suite}: ${missing} (CI must run it)`);
  if (missing) console.warn(`${suite} skipped: ${missing}`);
  return missing;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface OrthancPeer {
  aet: string;
  host: string;
  port: number;
}

export class Orthanc {
  readonly aet = 'ORTHANC';
  private process: ChildProcess | undefined;
  private constructor(
    readonly dir: string,
    readonly httpPort: number,
    readonly dicomPort: number,
  ) {}

  /** Starts Orthanc (reusing `dir` keeps what it stored: a PACS that went down and came back). */
  static async start(
    options: { modalities?: Record<string, OrthancPeer>; dir?: string; ports?: { http: number; dicom: number } } = {},
  ): Promise<Orthanc> {
    const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'denseray-orthanc-'));
    const http = options.ports?.http ?? (await freePort());
    const dicom = options.ports?.dicom ?? (await freePort());
    const orthanc = new Orthanc(dir, http, dicom);
    await orthanc.launch(options.modalities ?? {});
    return orthanc;
  }

  get url(): string {
    return `http://127.0.0.1:${this.httpPort}`;
  }

  get dicomWebRoot(): string {
    return `${this.url}/dicom-web`;
  }

  /** As `--send-to` takes it. */
  get peer(): string {
    return `${this.aet}@127.0.0.1:${this.dicomPort}`;
  }

  async get<T = unknown>(path: string): Promise<T> {
    const response = await fetch(`${this.url}${path}`);
    if (!response.ok) throw new Error(`Orthanc ${path}: HTTP ${response.status}`);
    return (await response.json()) as T;
  }

  async post<T = unknown>(path: string, body: unknown): Promise<T> {
    const response = await fetch(`${this.url}${path}`, { method: 'POST', body: JSON.stringify(body) });
    if (!response.ok) throw new Error(`Orthanc ${path}: HTTP ${response.status}`);
    return (await response.json()) as T;
  }

  /** Orthanc ids of the instances matching DICOM tag values (its /tools/find). */
  find(query: Record<string, string>): Promise<string[]> {
    return this.post<string[]>('/tools/find', { Level: 'Instance', Query: query, Expand: false });
  }

  /** The instance's tags as Orthanc's simplified JSON. */
  tags(id: string): Promise<Record<string, unknown>> {
    return this.get(`/instances/${id}/simplified-tags`);
  }

  /** Writes the stored Part 10 file to `path`. */
  async download(id: string, path: string): Promise<void> {
    const response = await fetch(`${this.url}/instances/${id}/file`);
    writeFileSync(path, Buffer.from(await response.arrayBuffer()));
  }

  async stop(): Promise<void> {
    const child = this.process;
    this.process = undefined;
    if (!child || child.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
    });
  }

  async restart(modalities: Record<string, OrthancPeer> = {}): Promise<void> {
    await this.stop();
    await this.launch(modalities);
  }

  async remove(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }

  private async launch(modalities: Record<string, OrthancPeer>): Promise<void> {
    const config = join(this.dir, 'orthanc.json');
    writeFileSync(
      config,
      JSON.stringify({
        Name: 'DenseRayTestPACS',
        StorageDirectory: join(this.dir, 'db'),
        IndexDirectory: join(this.dir, 'db'),
        HttpPort: this.httpPort,
        DicomPort: this.dicomPort,
        DicomAet: this.aet,
        RemoteAccessAllowed: false,
        AuthenticationEnabled: false,
        DicomCheckCalledAet: true,
        Plugins: [PLUGIN_CANDIDATES.find(existsSync)],
        DicomWeb: { Enable: true, Root: '/dicom-web/', StudiesMetadata: 'MainDicomTags', SeriesMetadata: 'MainDicomTags' },
        DicomModalities: Object.fromEntries(Object.entries(modalities).map(([name, p]) => [name, [p.aet, p.host, p.port]])),
        UnknownSopClassAccepted: true,
        StableAge: 1,
      }),
    );
    const child = spawn('Orthanc', [config], { stdio: ['ignore', 'ignore', 'pipe'] });
    this.process = child;
    let log = '';
    child.stderr?.on('data', (d: Buffer) => (log = (log + d.toString()).slice(-4000)));
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      if (child.exitCode !== null) throw new Error(`Orthanc exited (${child.exitCode}):\n${log}`);
      try {
        const response = await fetch(`${this.url}/system`);
        if (response.ok) return;
      } catch {
        // not up yet
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    throw new Error(`Orthanc did not answer on ${this.url} within 60 s:\n${log}`);
  }
}

/** Polls until `check` returns a value (not undefined) or the deadline passes (a hang is the bug, so the bound is generous). */
export async function eventually<T>(check: () => Promise<T | undefined> | T | undefined, what: string, timeoutMs = 120_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`timed out waiting for ${what}${last ? ` (last error: ${String(last)})` : ''}`);
}
