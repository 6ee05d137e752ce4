import { createHash, randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, rmSync, writeSync } from 'node:fs';
import { createServer, type Server as NetServer, type Socket } from 'node:net';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { association, requests, responses as responseTypes } from 'dcmjs-dimse';
import type { ErrorInfo } from '../../../common/errors.ts';
import { DenseRayError, lowLevelFailure } from '../../shared/errors.ts';
import { transferSyntaxOf } from '../dicom/transfer-syntax.ts';
import { peerAeTitle } from './ae-title.ts';
import { dimse, STORAGE_SOP_CLASS_ROOT, STORE_STATUS, VERIFICATION_SOP_CLASS } from './dimse.ts';
import { fileMetaBytes } from './file-meta.ts';

type Association = association.Association;
type PresentationContext = association.PresentationContext;
type CEchoRequest = requests.CEchoRequest;
type CStoreRequest = requests.CStoreRequest;
type CEchoResponse = responseTypes.CEchoResponse;
type CStoreResponse = responseTypes.CStoreResponse;

/** Who is calling. */
export interface CallingPeer {
  callingAe: string;
  calledAe: string;
  address: string;
}

/** A C-STORE's dataset, written to a Part 10 file as it arrived (never held whole in memory). */
export interface IncomingInstance {
  peer: CallingPeer;
  /** The Part 10 file: File Meta Information from the command and the association, then the dataset as received. */
  tempPath: string;
  size: number;
  sha256: string;
  /** From the C-STORE command (the dataset's own values are checked when it is read). */
  sopClassUid: string;
  sopInstanceUid: string;
  transferSyntaxUid: string;
  /** The dataset could not be kept (the disk is full, it is larger than allowed). */
  error?: ErrorInfo | undefined;
}

/** The C-STORE response status and comment (LO, at most 64 characters) for one instance. */
export interface StoreAnswer {
  status: number;
  comment?: string | undefined;
}

export type ListenerEvent =
  | { kind: 'association-accepted'; peer: CallingPeer }
  | { kind: 'association-rejected'; peer: CallingPeer; reason: string }
  | { kind: 'association-dropped'; peer: CallingPeer; partialInstance: string | undefined; bytes: number }
  | { kind: 'echo'; peer: CallingPeer }
  | { kind: 'network-error'; message: string };

export interface DimseListenerOptions {
  aeTitle: string;
  port: number;
  /** Address to bind (default all interfaces: the PACS is on another machine). */
  host?: string | undefined;
  /** Where datasets are written while they arrive; emptied on start (leftovers of a crash are partial). */
  incomingDir: string;
  /** May this calling AE title associate? Others are rejected (calling AE not recognised). */
  admits(callingAe: string): boolean;
  /** The instance arrived completely: store it and say what to answer. The temp file is deleted afterwards if still there. */
  onInstance(incoming: IncomingInstance): Promise<StoreAnswer>;
  onEvent(event: ListenerEvent): void;
  /** Larger datasets are refused (Out of Resources) and dropped as they arrive; default 2 GiB. */
  maxInstanceBytes?: number;
  /** An association idle this long between PDUs is aborted (a sender that stalls). */
  idleTimeoutMs?: number;
}

/**
 * A DICOM C-ECHO / C-STORE SCP on dcmjs-dimse. It accepts only calling AE titles the policy
 * admits and only its own called AE title; it accepts the Verification SOP class and every Storage
 * SOP class in any transfer syntax DenseRay can decode, choosing the first one the sender proposed.
 * Datasets stream to a file as they arrive (bounded memory); a sender that drops the association
 * leaves no partial instance behind.
 */
export class DimseListener {
  private server: NetServer | undefined;
  private readonly sockets = new Set<Socket>();

  constructor(private readonly options: DimseListenerOptions) {}

  /** Starts listening; resolves once the port is bound (rejects with the reason it could not be). */
  async start(): Promise<void> {
    mkdirSync(this.options.incomingDir, { recursive: true });
    for (const leftover of readdirSync(this.options.incomingDir)) rmSync(join(this.options.incomingDir, leftover), { force: true });
    const Scp = scpClass();
    const idle = this.options.idleTimeoutMs ?? 60_000;
    const scpOptions = { associationTimeout: idle, pduTimeout: idle, connectTimeout: idle, customOptions: { listener: this.options } };
    // What dcmjs-dimse's Server does per connection, on a net.Server of our own: it can bind one
    // address, report the port it got, and close its open connections when the node stops.
    const server = createServer((socket) => {
      // A C-STORE response goes out when written, not held behind an unacknowledged segment (Nagle).
      socket.setNoDelay(true);
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
      const scp = new Scp(socket, scpOptions);
      (scp as unknown as { connected: boolean }).connected = true;
      scp.on('networkError', (error: Error) => {
        socket.end();
        this.options.onEvent({ kind: 'network-error', message: error.message });
      });
    });
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', (error) => reject(listenFailure(this.options.port, error)));
      server.listen(this.options.port, this.options.host, () => {
        server.on('error', (error) => this.options.onEvent({ kind: 'network-error', message: error.message }));
        resolve();
      });
    });
  }

  /** The port actually bound (useful with port 0). */
  get port(): number {
    const address = this.server?.address();
    return typeof address === 'object' && address ? address.port : this.options.port;
  }

  /** Stops accepting and ends open associations (a dataset still arriving is dropped). */
  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    await closed;
  }
}

function listenFailure(port: number, error: Error): DenseRayError {
  const code = (error as NodeJS.ErrnoException).code;
  const why =
    code === 'EADDRINUSE'
      ? 'the port is in use'
      : code === 'EACCES'
        ? 'permission denied (ports below 1024 need privileges)'
        : error.message;
  return new DenseRayError('INVALID_ARGUMENT', `cannot listen on port ${port}: ${why}`, { cause: error });
}

/** A dataset arriving: written through to its file, hashed and counted as it comes. */
class IncomingFile extends Writable {
  readonly path: string;
  size = 0;
  error: ErrorInfo | undefined;
  private fd: number | undefined;
  private readonly hash = createHash('sha256');
  private fileClosed = false;

  constructor(
    dir: string,
    header: Uint8Array,
    readonly transferSyntaxUid: string,
    private readonly maxBytes: number,
  ) {
    // Never report backpressure: dcmjs-dimse waits for a single 'drain' per dataset, so a file that
    // failed must keep accepting (and dropping) data rather than stall the association.
    super({ highWaterMark: 1 << 30 });
    this.path = join(dir, `${Date.now()}-${randomBytes(6).toString('hex')}.part`);
    try {
      this.fd = openSync(this.path, 'wx');
      this.append(header);
    } catch (error) {
      this.fail(error);
    }
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    if (!this.error) {
      if (this.size + chunk.length > this.maxBytes) {
        this.error = { code: 'INVALID_ARGUMENT', message: `the dataset is larger than ${this.maxBytes} bytes; refused` };
        this.closeFile();
      } else {
        try {
          this.append(chunk);
        } catch (error) {
          this.fail(error);
        }
      }
    }
    callback();
  }

  override _final(callback: (error?: Error | null) => void): void {
    try {
      if (!this.error && this.fd !== undefined) fsyncSync(this.fd);
    } catch (error) {
      this.fail(error);
    }
    this.closeFile();
    callback();
  }

  get sha256(): string {
    return this.hash.copy().digest('hex');
  }

  discard(): void {
    this.closeFile();
    rmSync(this.path, { force: true });
  }

  private append(bytes: Uint8Array): void {
    if (this.fd === undefined) return;
    let offset = 0;
    while (offset < bytes.length) offset += writeSync(this.fd, bytes, offset, bytes.length - offset);
    this.hash.update(bytes);
    this.size += bytes.length;
  }

  private fail(error: unknown): void {
    const low = lowLevelFailure(error);
    this.error = low ?? { code: 'FILE_UNREADABLE', message: `cannot write the received dataset: ${(error as Error).message}` };
    this.closeFile();
  }

  private closeFile(): void {
    if (this.fileClosed) return;
    this.fileClosed = true;
    if (this.fd !== undefined) {
      try {
        closeSync(this.fd);
      } catch {
        // already failed; the file is discarded
      }
    }
  }
}

const DEFAULT_MAX_INSTANCE_BYTES = 2 * 1024 ** 3;

/** The SCP class dcmjs-dimse instantiates per connection; options reach it through customOptions. */
function scpClass() {
  const { Scp, Dataset, constants, responses } = dimse();
  const { PresentationContextResult, RejectReason, RejectResult, RejectSource, Status } = constants;

  return class DenseRayScp extends Scp {
    private readonly listener: DimseListenerOptions;
    private readonly address: string;
    private association: Association | undefined;
    private peer: CallingPeer | undefined;
    private readonly incoming = new Map<Writable, IncomingFile>();
    private readonly byRequest = new Map<CStoreRequest, IncomingFile>();
    private released = false;
    private accepted = false;
    private ended = false;

    constructor(
      private readonly connection: Socket,
      opts?: { customOptions?: Record<string, unknown> },
    ) {
      super(connection, opts);
      this.listener = opts?.customOptions?.listener as DimseListenerOptions;
      // IPv4 peers on a dual-stack socket appear as ::ffff:a.b.c.d.
      this.address = (connection.remoteAddress ?? 'unknown address').replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/, '');
      connection.on('close', () => this.closed());
    }

    override associationRequested(association: Association): void {
      this.association = association;
      const peer: CallingPeer = {
        callingAe: peerAeTitle(association.getCallingAeTitle()),
        calledAe: peerAeTitle(association.getCalledAeTitle()),
        address: this.address,
      };
      this.peer = peer;
      if (peer.calledAe !== this.listener.aeTitle) {
        this.listener.onEvent({
          kind: 'association-rejected',
          peer,
          reason: `called AE title ${peer.calledAe} is not this node's (${this.listener.aeTitle})`,
        });
        this.sendAssociationReject(RejectResult.Permanent, RejectSource.ServiceUser, RejectReason.CalledAeNotRecognized);
        return;
      }
      if (!this.listener.admits(peer.callingAe)) {
        this.listener.onEvent({ kind: 'association-rejected', peer, reason: `calling AE title ${peer.callingAe} is not allowed` });
        this.sendAssociationReject(RejectResult.Permanent, RejectSource.ServiceUser, RejectReason.CallingAeNotRecognized);
        return;
      }
      for (const { id } of association.getPresentationContexts()) {
        const context = association.getPresentationContext(id);
        const abstract = context.getAbstractSyntaxUid();
        if (abstract !== VERIFICATION_SOP_CLASS && !abstract.startsWith(STORAGE_SOP_CLASS_ROOT)) {
          context.setResult(PresentationContextResult.RejectAbstractSyntaxNotSupported);
          continue;
        }
        const syntax = context.getTransferSyntaxUids().find((uid: string) => {
          const known = transferSyntaxOf(uid);
          return known !== undefined && known.encoding !== 'unsupported';
        });
        if (syntax) context.setResult(PresentationContextResult.Accept, syntax);
        else context.setResult(PresentationContextResult.RejectTransferSyntaxesNotSupported);
      }
      this.accepted = true;
      this.listener.onEvent({ kind: 'association-accepted', peer });
      this.sendAssociationAccept();
    }

    override associationReleaseRequested(): void {
      this.released = true;
      this.sendAssociationReleaseResponse();
    }

    override cEchoRequest(request: CEchoRequest, callback: (response: CEchoResponse) => void): void {
      const response = responses.CEchoResponse.fromRequest(request);
      response.setStatus(Status.Success);
      if (this.peer) this.listener.onEvent({ kind: 'echo', peer: this.peer });
      callback(response);
    }

    override createStoreWritableStream(context: PresentationContext, request: CStoreRequest): Writable {
      const transferSyntaxUid = context.getAcceptedTransferSyntaxUid() ?? '';
      const header = fileMetaBytes({
        sopClassUid: request.getAffectedSopClassUid(),
        sopInstanceUid: request.getAffectedSopInstanceUid(),
        transferSyntaxUid,
        sourceAeTitle: this.peer?.callingAe,
      });
      const limit = this.listener.maxInstanceBytes ?? DEFAULT_MAX_INSTANCE_BYTES;
      const file = new IncomingFile(this.listener.incomingDir, header, transferSyntaxUid, limit);
      this.incoming.set(file, file);
      this.byRequest.set(request, file);
      return file;
    }

    override createDatasetFromStoreWritableStream(
      writable: Writable,
      context: PresentationContext,
      callback: (dataset: InstanceType<typeof Dataset>) => void,
    ): void {
      // The dataset stays on disk: the request carries an empty one and cStoreRequest finds the file.
      const done = () => callback(new Dataset({}, context.getAcceptedTransferSyntaxUid() ?? ''));
      if (writable.writableFinished) done();
      else writable.once('finish', done);
    }

    override cStoreRequest(request: CStoreRequest, callback: (response: CStoreResponse) => void): void {
      const file = this.byRequest.get(request);
      this.byRequest.delete(request);
      const answer = (result: StoreAnswer): void => {
        if (file) {
          this.incoming.delete(file);
          file.discard(); // the handler moved it if it kept it
        }
        const response = responses.CStoreResponse.fromRequest(request);
        response.setStatus(result.status);
        if (result.comment) response.setErrorComment(result.comment.slice(0, 64));
        callback(response);
      };
      if (!file || !this.peer) {
        answer({ status: STORE_STATUS.outOfResources, comment: 'INTERNAL: the dataset was not received' });
        return;
      }
      this.listener
        .onInstance({
          peer: this.peer,
          tempPath: file.path,
          size: file.size,
          sha256: file.sha256,
          sopClassUid: request.getAffectedSopClassUid(),
          sopInstanceUid: request.getAffectedSopInstanceUid(),
          transferSyntaxUid: file.transferSyntaxUid,
          error: file.error,
        })
        .then(answer, (error: unknown) =>
          answer({ status: STORE_STATUS.outOfResources, comment: `INTERNAL: ${(error as Error).message}` }),
        );
    }

    /** A-ABORT from the peer: the association is over, so is the connection (the peer waits for it to close). */
    override abort(): void {
      this.closed();
      this.connection.end();
    }

    /** The connection ended: a dataset still arriving is partial, so it is dropped; an unreleased association is reported. */
    private closed(): void {
      if (this.ended) return;
      this.ended = true;
      let partial: IncomingFile | undefined;
      for (const file of this.incoming.values()) {
        if (file.writableFinished) continue; // complete; its handler is storing it
        this.incoming.delete(file);
        file.discard();
        partial = file;
      }
      if (this.peer && this.accepted && (!this.released || partial)) {
        this.listener.onEvent({ kind: 'association-dropped', peer: this.peer, partialInstance: partial?.path, bytes: partial?.size ?? 0 });
      }
    }
  };
}
