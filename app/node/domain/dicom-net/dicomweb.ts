import { z } from 'zod';
import { DenseRayError } from '../../shared/errors.ts';
import type { DeliveryOutcome } from './outbox.ts';
import { boundaryOf, buildMultipart, parseMultipart } from './multipart.ts';

/**
 * A DICOMweb client on Node's fetch: QIDO-RS search, WADO-RS instance retrieve, STOW-RS store.
 * (dicomweb-client needs a browser's XMLHttpRequest, which Node 20 does not have.) Every answer is
 * parsed before use; every failure is a coded error naming the URL.
 */

/** The DICOM JSON model (PS3.18 F.2): tag → VR and values. */
const DicomJsonDataset = z.record(z.string(), z.object({ vr: z.string(), Value: z.array(z.unknown()).optional() }).passthrough());
export type DicomJsonDataset = z.infer<typeof DicomJsonDataset>;
const DicomJsonList = z.array(DicomJsonDataset);

export function jsonText(dataset: DicomJsonDataset, tag: string): string | undefined {
  const value = dataset[tag]?.Value?.[0];
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  if (value && typeof value === 'object' && 'Alphabetic' in value && typeof value.Alphabetic === 'string') return value.Alphabetic;
  return undefined;
}

export function jsonTexts(dataset: DicomJsonDataset, tag: string): string[] {
  return (dataset[tag]?.Value ?? []).filter((v): v is string => typeof v === 'string');
}

export const TAG = {
  studyInstanceUid: '0020000D',
  seriesInstanceUid: '0020000E',
  sopInstanceUid: '00080018',
  sopClassUid: '00080016',
  patientId: '00100020',
  patientName: '00100010',
  studyDate: '00080020',
  accessionNumber: '00080050',
  studyDescription: '00081030',
  modalitiesInStudy: '00080061',
  modality: '00080060',
  numberOfStudyRelatedInstances: '00201208',
  failedSopSequence: '00081198',
  referencedSopSequence: '00081199',
  referencedSopInstanceUid: '00081155',
  failureReason: '00081197',
} as const;

export interface DicomWebOptions {
  timeoutMs?: number;
  /** Largest instance retrieved (bytes); default 1 GiB. */
  maxInstanceBytes?: number;
}

export class DicomWebClient {
  private readonly root: string;

  constructor(
    root: string,
    private readonly options: DicomWebOptions = {},
  ) {
    this.root = root.replace(/\/+$/, '');
  }

  get url(): string {
    return this.root;
  }

  /** QIDO-RS: studies matching the query parameters (PS3.18 10.6). */
  searchStudies(params: Record<string, string>): Promise<DicomJsonDataset[]> {
    return this.query(`/studies?${new URLSearchParams(params)}`);
  }

  searchSeries(studyUid: string, params: Record<string, string>): Promise<DicomJsonDataset[]> {
    return this.query(`/studies/${encodeURIComponent(studyUid)}/series?${new URLSearchParams(params)}`);
  }

  searchInstances(studyUid: string, seriesUid: string): Promise<DicomJsonDataset[]> {
    return this.query(`/studies/${encodeURIComponent(studyUid)}/series/${encodeURIComponent(seriesUid)}/instances`);
  }

  /** WADO-RS: one instance as its Part 10 bytes. */
  async retrieveInstance(studyUid: string, seriesUid: string, sopUid: string): Promise<Uint8Array> {
    const path = `/studies/${encodeURIComponent(studyUid)}/series/${encodeURIComponent(seriesUid)}/instances/${encodeURIComponent(sopUid)}`;
    const response = await this.fetch(path, { headers: { Accept: 'multipart/related; type="application/dicom"' } });
    const limit = this.options.maxInstanceBytes ?? 1024 ** 3;
    const declared = Number(response.headers.get('content-length') ?? 0);
    if (declared > limit)
      throw new DenseRayError('DOWNLOAD_FAILED', `${this.root}${path}: the instance is ${declared} bytes, over the ${limit} allowed`);
    const body = Buffer.from(await response.arrayBuffer());
    const boundary = boundaryOf(response.headers.get('content-type'));
    if (!boundary)
      throw new DenseRayError(
        'DOWNLOAD_FAILED',
        `${this.root}${path}: expected multipart/related, got ${response.headers.get('content-type')}`,
      );
    const part = parseMultipart(body, boundary)[0];
    if (!part) throw new DenseRayError('DOWNLOAD_FAILED', `${this.root}${path}: the answer holds no DICOM part`);
    return new Uint8Array(part.body.buffer, part.body.byteOffset, part.body.byteLength);
  }

  /**
   * STOW-RS: stores Part 10 files; each one's outcome by SOP Instance UID from the response's
   * Referenced and Failed SOP Sequences. A server that cannot be reached or answers 5xx: retry.
   */
  async store(files: { sopInstanceUid: string; bytes: Uint8Array }[]): Promise<Map<string, DeliveryOutcome>> {
    const { body, contentType } = buildMultipart(files.map((f) => f.bytes));
    const outcomes = new Map<string, DeliveryOutcome>();
    let response: Response;
    try {
      response = await this.fetch('/studies', {
        method: 'POST',
        headers: { 'Content-Type': contentType, Accept: 'application/dicom+json' },
        body,
      });
    } catch (error) {
      const message = error instanceof DenseRayError ? error.message : String(error);
      const refused = error instanceof DenseRayError && error.code === 'PEER_REFUSED';
      for (const f of files) outcomes.set(f.sopInstanceUid, { result: refused ? 'refused' : 'retry', message });
      return outcomes;
    }
    const text = await response.text();
    let answer: DicomJsonDataset | undefined;
    try {
      const parsed = text ? JSON.parse(text) : undefined;
      answer = DicomJsonDataset.parse(Array.isArray(parsed) ? parsed[0] : parsed);
    } catch {
      answer = undefined;
    }
    const stored = new Set(
      (answer?.[TAG.referencedSopSequence]?.Value ?? []).map((item) =>
        item ? jsonText(DicomJsonDataset.parse(item), TAG.referencedSopInstanceUid) : undefined,
      ),
    );
    const failed = new Map<string, string>();
    for (const item of answer?.[TAG.failedSopSequence]?.Value ?? []) {
      const entry = DicomJsonDataset.safeParse(item);
      if (!entry.success) continue;
      const uid = jsonText(entry.data, TAG.referencedSopInstanceUid);
      if (uid) failed.set(uid, jsonText(entry.data, TAG.failureReason) ?? 'no reason given');
    }
    for (const f of files) {
      if (stored.has(f.sopInstanceUid)) outcomes.set(f.sopInstanceUid, { result: 'stored', message: 'stored' });
      else if (failed.has(f.sopInstanceUid)) {
        const reason = Number(failed.get(f.sopInstanceUid));
        const transient = (reason & 0xff00) === 0xa700 || reason === 0x0110;
        outcomes.set(f.sopInstanceUid, {
          result: transient ? 'retry' : 'refused',
          message: `STOW-RS failure reason 0x${reason.toString(16).toUpperCase()}`,
        });
      } else if (response.ok && !answer) {
        // 200 with no body: every instance stored (PS3.18 10.5.3).
        outcomes.set(f.sopInstanceUid, { result: 'stored', message: 'stored' });
      } else {
        outcomes.set(f.sopInstanceUid, {
          result: response.status >= 500 || response.status === 429 ? 'retry' : response.ok ? 'retry' : 'refused',
          message: `HTTP ${response.status} from STOW-RS${response.ok ? ' without this instance in its answer' : ''}`,
        });
      }
    }
    return outcomes;
  }

  private async query(path: string): Promise<DicomJsonDataset[]> {
    const response = await this.fetch(path, { headers: { Accept: 'application/dicom+json' } });
    if (response.status === 204) return [];
    const text = await response.text();
    if (!text.trim()) return [];
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (cause) {
      throw new DenseRayError('DOWNLOAD_FAILED', `${this.root}${path}: the answer is not JSON`, { cause });
    }
    const list = DicomJsonList.safeParse(parsed);
    if (!list.success) throw new DenseRayError('DOWNLOAD_FAILED', `${this.root}${path}: the answer is not a list of DICOM JSON datasets`);
    return list.data;
  }

  private async fetch(path: string, init: RequestInit): Promise<Response> {
    const url = `${this.root}${path}`;
    let response: Response;
    try {
      response = await fetch(url, { ...init, signal: AbortSignal.timeout(this.options.timeoutMs ?? 60_000) });
    } catch (cause) {
      const reason = (cause as { cause?: { code?: string } }).cause?.code ?? (cause as Error).name;
      throw new DenseRayError('PEER_UNREACHABLE', `${url}: cannot reach the DICOMweb server (${reason})`, { cause });
    }
    if (!response.ok && !(init.method === 'POST' && response.status === 409)) {
      const detail = (await response.text().catch(() => '')).slice(0, 200);
      throw new DenseRayError(
        response.status >= 500 ? 'PEER_UNREACHABLE' : 'PEER_REFUSED',
        `${url}: HTTP ${response.status}${detail ? ` (${detail.replace(/\s+/g, ' ')})` : ''}`,
      );
    }
    return response;
  }
}
