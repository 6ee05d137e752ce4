import { createHash, randomUUID } from 'node:crypto';

/**
 * DICOM UIDs under the 2.25 root (PS3.5 §B.2: a UUID written as one decimal integer). Derived UIDs
 * are name-based (the UUID is the first 128 bits of a SHA-256 of the parts, with RFC 9562 version 8
 * and variant bits), so the SR of the same image by the same weights gets the same UID whenever it
 * is rebuilt: a result regenerated after a crash is a duplicate to the PACS, never a second report.
 */
export function derivedUid(...parts: string[]): string {
  const hash = createHash('sha256').update(parts.join('\u0000')).digest();
  const bytes = Buffer.from(hash.subarray(0, 16));
  bytes[6] = (bytes[6]! & 0x0f) | 0x80; // version 8 (custom)
  bytes[8] = (bytes[8]! & 0x3f) | 0x80; // RFC variant
  return `2.25.${BigInt(`0x${bytes.toString('hex')}`).toString(10)}`;
}

/** A fresh random 2.25 UID (UUID v4). */
export function randomUid(): string {
  return `2.25.${BigInt(`0x${randomUUID().replaceAll('-', '')}`).toString(10)}`;
}

/** PS3.5 §9.1: digits and dots, no empty or zero-led component, at most 64 characters. */
export function isValidUid(value: string): boolean {
  return value.length > 0 && value.length <= 64 && /^(0|[1-9][0-9]*)(\.(0|[1-9][0-9]*))*$/.test(value);
}
