import { readFileSync } from 'node:fs';
import type { requests } from 'dcmjs-dimse';
import type { DicomPeerAddress } from './ae-title.ts';
import { dimse } from './dimse.ts';

type DimseDataset = InstanceType<ReturnType<typeof dimse>['Dataset']>;

/** File Meta values of a Part 10 file DenseRay wrote (preamble, DICM, explicit VR LE group 0002). */
function fileMeta(bytes: Buffer): { values: Map<number, string>; datasetStart: number } {
  if (bytes.toString('latin1', 128, 132) !== 'DICM') throw new Error('not a Part 10 file');
  const values = new Map<number, string>();
  let at = 132;
  let end = bytes.length;
  while (at + 8 <= end && bytes.readUInt16LE(at) === 0x0002) {
    const element = bytes.readUInt16LE(at + 2);
    const vr = bytes.toString('latin1', at + 4, at + 6);
    const long = vr === 'OB' || vr === 'OW' || vr === 'UN' || vr === 'SQ' || vr === 'UT';
    const length = long ? bytes.readUInt32LE(at + 8) : bytes.readUInt16LE(at + 6);
    const start = at + (long ? 12 : 8);
    if (element === 0x0000) end = start + length + bytes.readUInt32LE(start);
    else values.set(element, bytes.toString('latin1', start, start + length).replace(/[\0 ]+$/, ''));
    at = start + length;
  }
  return { values, datasetStart: at };
}

/**
 * A file DenseRay wrote, sent as it is: dcmjs-dimse would parse the whole file and encode it again
 * before sending (the largest cost of a send); this dataset hands over its encoded bytes and is
 * parsed only if the peer accepted another transfer syntax and the library must transcode.
 */
function encodedDataset(path: string): DimseDataset {
  const { Dataset } = dimse();
  const bytes = readFileSync(path);
  const { values, datasetStart } = fileMeta(bytes);
  const transferSyntaxUid = values.get(0x0010) ?? '';
  const identity: Record<string, string> = { SOPClassUID: values.get(0x0002) ?? '', SOPInstanceUID: values.get(0x0003) ?? '' };
  const encoded = bytes.subarray(datasetStart);
  class EncodedDataset extends Dataset {
    private parsed: Record<string, unknown> | undefined;
    override getElement(tag: string): string | undefined {
      return identity[tag] ?? (this.getElements()[tag] as string | undefined);
    }
    override getElements(): Record<string, unknown> {
      this.parsed ??= new Dataset(encoded, transferSyntaxUid).getElements();
      return this.parsed;
    }
    override getDenaturalizedDataset(): Buffer {
      return encoded;
    }
  }
  return new EncodedDataset({ ...identity }, transferSyntaxUid);
}

/**
 * dcmjs-dimse leaves Nagle's algorithm on and writes a C-STORE as two PDUs (command, then dataset):
 * the dataset then waits for the peer's delayed ACK of the command, 30–40 ms per object on loopback
 * (bench/pacs). DCMTK turns Nagle off for the same reason. The library does not expose its socket:
 * it is reached where dcmjs-dimse 0.3 keeps it (created synchronously by `send`), and left alone if absent.
 */
function withoutNagle(client: object): void {
  const socket = (client as { network?: { socket?: { setNoDelay?: (noDelay: boolean) => unknown } } }).network?.socket;
  if (typeof socket?.setNoDelay === 'function') socket.setNoDelay(true);
}

export interface FileToStore {
  path: string;
  sopInstanceUid: string;
}

/**
 * What became of one file: `stored` (success or a warning status: the peer has it), `retry` (the
 * peer was unreachable, refused the association, ran out of resources, or never answered) or
 * `refused` (the peer answered with an error status for this object; sending it again will not help).
 */
export interface StoreOutcome {
  sopInstanceUid: string;
  result: 'stored' | 'retry' | 'refused';
  /** The DIMSE status when the peer answered. */
  status?: number | undefined;
  message: string;
}

export interface StoreOptions {
  callingAeTitle: string;
  /** Connect, associate and each response must come within this long. */
  timeoutMs?: number;
}

const TRANSIENT_STATUSES = new Set([0x0110, 0x0213]);

function statusText(status: number): string {
  return `0x${status.toString(16).padStart(4, '0').toUpperCase()}`;
}

function classify(status: number, comment: string): Pick<StoreOutcome, 'result' | 'message'> {
  const detail = comment ? ` (${comment})` : '';
  if (status === 0x0000) return { result: 'stored', message: 'stored' };
  // PS3.4 B.2.3: warnings (coercion, elements discarded, SOP class mismatch) mean the peer kept it.
  if (status === 0x0001 || (status & 0xf000) === 0xb000)
    return { result: 'stored', message: `stored with warning ${statusText(status)}${detail}` };
  if ((status & 0xff00) === 0xa700 || TRANSIENT_STATUSES.has(status))
    return { result: 'retry', message: `peer is out of resources (${statusText(status)})${detail}` };
  return { result: 'refused', message: `peer refused it with status ${statusText(status)}${detail}` };
}

/**
 * Sends files with C-STORE over one association (dcmjs-dimse SCU), in order, and reports each
 * file's outcome; never throws for network trouble — a file that was not confirmed is `retry`.
 */
export function storeFiles(peer: DicomPeerAddress, files: FileToStore[], options: StoreOptions): Promise<StoreOutcome[]> {
  const { Client, requests: requestClasses } = dimse();
  const outcomes = new Map<string, StoreOutcome>();
  const timeoutMs = options.timeoutMs ?? 30_000;
  return new Promise((resolve) => {
    const client = new Client();
    let failure = 'the association ended before the peer answered';
    const finish = () => {
      clearTimeout(timer);
      resolve(
        files.map(
          (file) => outcomes.get(file.sopInstanceUid) ?? { sopInstanceUid: file.sopInstanceUid, result: 'retry', message: failure },
        ),
      );
    };
    const timer = setTimeout(() => {
      failure = `no answer from ${peer.aet}@${peer.host}:${peer.port} within ${timeoutMs / 1000} s`;
      try {
        client.abort();
      } catch {
        // not connected yet: nothing to abort
      }
      finish();
    }, timeoutMs * Math.max(1, files.length));
    for (const file of files) {
      let request: requests.CStoreRequest;
      try {
        request = new requestClasses.CStoreRequest(encodedDataset(file.path));
      } catch (error) {
        // A file that cannot be read will not become readable by retrying.
        outcomes.set(file.sopInstanceUid, {
          sopInstanceUid: file.sopInstanceUid,
          result: 'refused',
          message: `cannot read ${file.path}: ${String(error)}`,
        });
        continue;
      }
      request.on('response', (response: { getStatus(): number; getErrorComment(): string }) => {
        const status = response.getStatus();
        outcomes.set(file.sopInstanceUid, {
          sopInstanceUid: file.sopInstanceUid,
          status,
          ...classify(status, response.getErrorComment() ?? ''),
        });
      });
      client.addRequest(request);
    }
    if (outcomes.size === files.length) {
      finish();
      return;
    }
    client.on('associationRejected', (reject: { result: number; source: number; reason: number }) => {
      failure = `${peer.aet} rejected the association (result ${reject.result}, source ${reject.source}, reason ${reject.reason}); is DenseRay's AE title ${options.callingAeTitle} configured there?`;
    });
    client.on('networkError', (error: Error) => {
      const code = (error as NodeJS.ErrnoException).code;
      failure =
        code === 'ECONNREFUSED'
          ? `${peer.host}:${peer.port} refused the connection (is ${peer.aet} running?)`
          : `network error talking to ${peer.aet}@${peer.host}:${peer.port}: ${error.message}`;
    });
    client.on('closed', finish);
    try {
      client.send(peer.host, peer.port, options.callingAeTitle, peer.aet, {
        connectTimeout: timeoutMs,
        associationTimeout: timeoutMs,
        pduTimeout: timeoutMs,
      });
      withoutNagle(client);
    } catch (error) {
      failure = `cannot start the association: ${String(error)}`;
      finish();
    }
  });
}

/** C-ECHO: whether the peer answers, and if not, why. */
export function echo(peer: DicomPeerAddress, options: StoreOptions): Promise<{ ok: boolean; message: string }> {
  const { Client, requests: requestClasses } = dimse();
  const timeoutMs = options.timeoutMs ?? 10_000;
  return new Promise((resolve) => {
    const client = new Client();
    let result = { ok: false, message: 'no answer' };
    const timer = setTimeout(() => {
      result = { ok: false, message: `no answer within ${timeoutMs / 1000} s` };
      try {
        client.abort();
      } catch {
        // not connected
      }
      resolve(result);
    }, timeoutMs);
    const request = new requestClasses.CEchoRequest();
    request.on('response', (response: { getStatus(): number }) => {
      result =
        response.getStatus() === 0
          ? { ok: true, message: 'C-ECHO succeeded' }
          : { ok: false, message: `status ${statusText(response.getStatus())}` };
    });
    client.addRequest(request);
    client.on('associationRejected', () => (result = { ok: false, message: `${peer.aet} rejected the association` }));
    client.on('networkError', (error: Error) => (result = { ok: false, message: error.message }));
    client.on('closed', () => {
      clearTimeout(timer);
      resolve(result);
    });
    client.send(peer.host, peer.port, options.callingAeTitle, peer.aet, { connectTimeout: timeoutMs, associationTimeout: timeoutMs });
    withoutNagle(client);
  });
}
