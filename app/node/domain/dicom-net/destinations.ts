import { readFileSync } from 'node:fs';
import type { OutboxRow } from '../store/dicom-node-records.ts';
import { type DicomPeerAddress, formatPeer, parsePeer } from './ae-title.ts';
import { storeFiles } from './dimse-sender.ts';
import { DicomWebClient } from './dicomweb.ts';
import type { Deliver, DeliveryOutcome } from './outbox.ts';

/**
 * Destinations as the outbox stores them: `dimse:AE@host:port` (C-STORE) or `stow:<DICOMweb root>`
 * (STOW-RS). Only destinations the user configured are ever written there.
 */
export function dimseDestination(peer: DicomPeerAddress): string {
  return `dimse:${formatPeer(peer)}`;
}

export function stowDestination(root: string): string {
  return `stow:${root.replace(/\/+$/, '')}`;
}

/** The transport for a destination; undefined for one this node cannot parse. */
export function transportFor(destination: string, options: { callingAeTitle: string; timeoutMs?: number }): Deliver | undefined {
  if (destination.startsWith('dimse:')) {
    const peer = parsePeer(destination.slice('dimse:'.length));
    if (!peer) return undefined;
    return async (entries: OutboxRow[]) => {
      const outcomes = await storeFiles(
        peer,
        entries.map((e) => ({ path: e.path, sopInstanceUid: e.sop_instance_uid })),
        { callingAeTitle: options.callingAeTitle, ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}) },
      );
      return new Map<string, DeliveryOutcome>(outcomes.map((o) => [o.sopInstanceUid, { result: o.result, message: o.message }]));
    };
  }
  if (destination.startsWith('stow:')) {
    const client = new DicomWebClient(destination.slice('stow:'.length), options.timeoutMs ? { timeoutMs: options.timeoutMs } : {});
    return async (entries: OutboxRow[]) => {
      const readable: { sopInstanceUid: string; bytes: Uint8Array }[] = [];
      const missing = new Map<string, DeliveryOutcome>();
      for (const e of entries) {
        try {
          readable.push({ sopInstanceUid: e.sop_instance_uid, bytes: readFileSync(e.path) });
        } catch (error) {
          // A file that cannot be read will not become readable by retrying.
          missing.set(e.sop_instance_uid, { result: 'refused', message: `cannot read ${e.path}: ${(error as Error).message}` });
        }
      }
      const stored = readable.length > 0 ? await client.store(readable) : new Map<string, DeliveryOutcome>();
      return new Map([...stored, ...missing]);
    };
  }
  return undefined;
}
