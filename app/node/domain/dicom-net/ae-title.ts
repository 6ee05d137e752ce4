/**
 * Application Entity titles and network peers as users write them. An AE title (PS3.5 6.2, VR AE)
 * is 1–16 characters of the default repertoire, no backslash or control characters; leading and
 * trailing spaces are not significant.
 */
export function normaliseAeTitle(value: string): string | undefined {
  const trimmed = value.trim();
  if (trimmed.length === 0 || trimmed.length > 16) return undefined;
  if (!/^[\x20-\x7e]+$/.test(trimmed) || trimmed.includes('\\')) return undefined;
  return trimmed;
}

/** An AE title received from a peer, made safe to log and compare (it may be anything). */
export function peerAeTitle(value: unknown): string {
  const text = typeof value === 'string' ? value : '';
  return (
    text
      .replace(/[^\x20-\x7e]/g, '?')
      .replace(/\\/g, '?')
      .trim()
      .slice(0, 16) || '(empty)'
  );
}

export interface DicomPeerAddress {
  aet: string;
  host: string;
  port: number;
}

/** `AET@host:port` (host may be a name, an IPv4 address or a bracketed IPv6 address). */
export function parsePeer(text: string): DicomPeerAddress | undefined {
  const match = /^(.{1,16})@(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/.exec(text.trim());
  if (!match) return undefined;
  const aet = normaliseAeTitle(match[1]!);
  const port = Number(match[3]);
  if (!aet || !Number.isInteger(port) || port < 1 || port > 65535) return undefined;
  return { aet, host: match[2]!.replace(/^\[|\]$/g, ''), port };
}

export function formatPeer(peer: DicomPeerAddress): string {
  return `${peer.aet}@${peer.host.includes(':') ? `[${peer.host}]` : peer.host}:${peer.port}`;
}
