import type { DicomPeer } from '../../app/common/contract/dicom-node.ts';
import { AeTitle, DicomPeer as DicomPeerSchema } from '../../app/common/contract/dicom-node.ts';

/** What the "send to" field holds: nothing (results stay here), a peer, or text that is not one yet. */
export type PeerField = DicomPeer | undefined | 'invalid';

/** `AET@host:port` as typed in the panel. */
export function parsePeerField(text: string): PeerField {
  const trimmed = text.trim();
  if (!trimmed) return undefined;
  const match = /^(.{1,16})@(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/.exec(trimmed);
  if (!match) return 'invalid';
  const peer = DicomPeerSchema.safeParse({ aet: match[1], host: match[2]!.replace(/^\[|\]$/g, ''), port: Number(match[3]) });
  return peer.success ? peer.data : 'invalid';
}

export function peerText(peer: DicomPeer): string {
  return `${peer.aet}@${peer.host.includes(':') ? `[${peer.host}]` : peer.host}:${peer.port}`;
}

/** "MOD1, MOD2" → the valid AE titles in it. */
export function splitTitles(text: string): string[] {
  return text
    .split(/[,\s]+/)
    .map((t) => t.trim())
    .filter((t) => AeTitle.safeParse(t).success);
}
