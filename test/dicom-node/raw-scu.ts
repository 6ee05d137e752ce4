import { connect, type Socket } from 'node:net';

/**
 * A bare-hands C-STORE SCU written from PS3.8 (upper layer PDUs) and PS3.7 (the C-STORE command):
 * it sends exactly the bytes a test gives it, which no well-behaved tool will — a dataset encoded
 * other than the presentation context says, or half a dataset followed by a dropped connection.
 */
const APPLICATION_CONTEXT = '1.2.840.10008.3.1.1.1';
const IMPLICIT_LE = '1.2.840.10008.1.2';

function uidItem(type: number, uid: string): Buffer {
  const value = Buffer.from(uid, 'ascii');
  const head = Buffer.alloc(4);
  head[0] = type;
  head.writeUInt16BE(value.length, 2);
  return Buffer.concat([head, value]);
}

function pdu(type: number, body: Buffer): Buffer {
  const head = Buffer.alloc(6);
  head[0] = type;
  head.writeUInt32BE(body.length, 2);
  return Buffer.concat([head, body]);
}

function aeField(title: string): Buffer {
  return Buffer.from(title.padEnd(16, ' ').slice(0, 16), 'ascii');
}

function associateRequest(calling: string, called: string, sopClass: string, transferSyntax: string): Buffer {
  const fixed = Buffer.alloc(68);
  fixed.writeUInt16BE(1, 0); // protocol version
  aeField(called).copy(fixed, 4);
  aeField(calling).copy(fixed, 20);
  const pcBody = Buffer.concat([Buffer.from([1, 0, 0, 0]), uidItem(0x30, sopClass), uidItem(0x40, transferSyntax)]);
  const pcHead = Buffer.alloc(4);
  pcHead[0] = 0x20;
  pcHead.writeUInt16BE(pcBody.length, 2);
  const maxLength = Buffer.from([0x51, 0, 0, 4, 0, 0, 0x40, 0]); // 16384
  const userBody = Buffer.concat([maxLength, uidItem(0x52, '1.2.3.4.5.6.7.8.9')]);
  const userHead = Buffer.alloc(4);
  userHead[0] = 0x50;
  userHead.writeUInt16BE(userBody.length, 2);
  return pdu(0x01, Buffer.concat([fixed, uidItem(0x10, APPLICATION_CONTEXT), pcHead, pcBody, userHead, userBody]));
}

/** One implicit-VR LE element. */
function element(group: number, elementNumber: number, value: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt16LE(group, 0);
  head.writeUInt16LE(elementNumber, 2);
  head.writeUInt32LE(value.length, 4);
  return Buffer.concat([head, value]);
}
const us = (n: number) => {
  const b = Buffer.alloc(2);
  b.writeUInt16LE(n, 0);
  return b;
};
const ui = (uid: string) => Buffer.from(uid.length % 2 ? `${uid}\0` : uid, 'ascii');

function storeCommand(sopClass: string, sopInstance: string): Buffer {
  const body = Buffer.concat([
    element(0x0000, 0x0002, ui(sopClass)),
    element(0x0000, 0x0100, us(0x0001)), // C-STORE-RQ
    element(0x0000, 0x0110, us(1)),
    element(0x0000, 0x0700, us(0)),
    element(0x0000, 0x0800, us(0x0000)), // a dataset follows
    element(0x0000, 0x1000, ui(sopInstance)),
  ]);
  const length = Buffer.alloc(4);
  length.writeUInt32LE(body.length, 0);
  return Buffer.concat([element(0x0000, 0x0000, length), body]);
}

function pdv(contextId: number, control: number, value: Buffer): Buffer {
  const head = Buffer.alloc(6);
  head.writeUInt32BE(value.length + 2, 0);
  head[4] = contextId;
  head[5] = control;
  return Buffer.concat([head, value]);
}

/** Reads whole PDUs off the socket. */
class PduReader {
  private buffer = Buffer.alloc(0);
  private waiting: ((pdu: { type: number; body: Buffer } | undefined) => void) | undefined;
  private ended = false;

  constructor(socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.buffer = Buffer.concat([this.buffer, chunk]);
      this.flush();
    });
    socket.on('close', () => {
      this.ended = true;
      this.flush();
    });
    socket.on('error', () => undefined);
  }

  next(timeoutMs = 60_000): Promise<{ type: number; body: Buffer } | undefined> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(undefined), timeoutMs);
      this.waiting = (pdu) => {
        clearTimeout(timer);
        resolve(pdu);
      };
      this.flush();
    });
  }

  private flush(): void {
    if (!this.waiting) return;
    if (this.buffer.length >= 6) {
      const length = this.buffer.readUInt32BE(2);
      if (this.buffer.length >= 6 + length) {
        const pdu = { type: this.buffer[0]!, body: this.buffer.subarray(6, 6 + length) };
        this.buffer = this.buffer.subarray(6 + length);
        const wake = this.waiting;
        this.waiting = undefined;
        wake(pdu);
        return;
      }
    }
    if (this.ended) {
      const wake = this.waiting;
      this.waiting = undefined;
      wake(undefined);
    }
  }
}

/** The C-STORE-RSP status and error comment from a P-DATA-TF carrying the response command. */
function parseResponse(body: Buffer): { status: number; comment: string } {
  const value = body.subarray(6, 4 + body.readUInt32BE(0));
  let status = -1;
  let comment = '';
  for (let at = 0; at + 8 <= value.length; ) {
    const group = value.readUInt16LE(at);
    const el = value.readUInt16LE(at + 2);
    const length = value.readUInt32LE(at + 4);
    const v = value.subarray(at + 8, at + 8 + length);
    if (group === 0 && el === 0x0900) status = v.readUInt16LE(0);
    if (group === 0 && el === 0x0902) comment = v.toString('latin1').trim();
    at += 8 + length;
  }
  return { status, comment };
}

export interface RawStore {
  host?: string;
  port: number;
  calling: string;
  called: string;
  sopClassUid: string;
  sopInstanceUid: string;
  /** The syntax proposed (and claimed) for the dataset. */
  transferSyntaxUid: string;
  /** The dataset bytes as they go on the wire (no File Meta). */
  dataset: Uint8Array;
  /** Send only this many dataset bytes, then destroy the connection. */
  dropAfter?: number;
}

/**
 * Associates, sends one C-STORE with the given dataset bytes and releases; resolves with the
 * response status (or `dropped` when told to cut the connection mid-dataset).
 */
export async function rawStore(request: RawStore): Promise<{ status: number; comment: string } | 'dropped' | 'rejected'> {
  const socket = connect(request.port, request.host ?? '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  const reader = new PduReader(socket);
  socket.write(associateRequest(request.calling, request.called, request.sopClassUid, request.transferSyntaxUid));
  const answer = await reader.next();
  if (answer?.type !== 0x02) {
    socket.destroy();
    return 'rejected';
  }
  socket.write(pdu(0x04, pdv(1, 0x03, storeCommand(request.sopClassUid, request.sopInstanceUid))));
  const data = Buffer.from(request.dataset);
  const cut = request.dropAfter ?? data.length;
  const fragment = 16_000;
  for (let at = 0; at < cut; at += fragment) {
    const end = Math.min(cut, at + fragment);
    const last = end >= data.length;
    socket.write(pdu(0x04, pdv(1, last ? 0x02 : 0x00, data.subarray(at, end))));
  }
  if (request.dropAfter !== undefined) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    socket.destroy();
    return 'dropped';
  }
  const response = await reader.next();
  if (response?.type !== 0x04) {
    socket.destroy();
    throw new Error(`no C-STORE response (got PDU ${response?.type})`);
  }
  const parsed = parseResponse(response.body);
  socket.write(pdu(0x05, Buffer.alloc(4)));
  await reader.next(10_000);
  socket.destroy();
  return parsed;
}

export { IMPLICIT_LE };
