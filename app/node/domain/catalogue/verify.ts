import { createHash } from 'node:crypto';
import type { CatalogueEntry } from '../../../common/contract/catalogue.ts';
import { DenseRayError } from '../../shared/errors.ts';
import type { ExpectedFile } from './pins.ts';

export interface FileIdentity {
  bytes: number;
  sha256: string;
  /** `git hash-object` of the bytes: sha1("blob <size>\0" + bytes). */
  gitBlobSha1: string;
}

export function identify(bytes: Uint8Array): FileIdentity {
  const blob = createHash('sha1').update(`blob ${bytes.length}\0`).update(bytes).digest('hex');
  return { bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex'), gitBlobSha1: blob };
}

export interface Verified extends FileIdentity {
  /** Whether the file matched what someone other than the publisher reported (undefined: nothing reported). */
  matchesReported?: boolean;
}

/**
 * Checks a downloaded or hand-carried file against everything known about it: size, the pinned or
 * recorded sha256, the publisher's git blob id. Throws CHECKSUM_MISMATCH naming what differed; the
 * caller deletes the file. Third-party reports are compared but never decide.
 */
export function verifyFile(bytes: Uint8Array, entry: CatalogueEntry, expected: ExpectedFile, source: string): Verified {
  const id = identify(bytes);
  const differences: string[] = [];
  if (expected.bytes !== null && id.bytes !== expected.bytes) differences.push(`size ${id.bytes} bytes, expected ${expected.bytes}`);
  if (expected.sha256 !== null && id.sha256 !== expected.sha256)
    differences.push(`sha256 ${id.sha256}, expected ${expected.sha256} (${expected.status})`);
  if (entry.file.gitBlobSha1 !== undefined && id.gitBlobSha1 !== entry.file.gitBlobSha1)
    differences.push(`git blob id ${id.gitBlobSha1}, expected ${entry.file.gitBlobSha1}`);
  if (differences.length > 0) {
    throw new DenseRayError('CHECKSUM_MISMATCH', `${source} is not the published ${entry.name} file: ${differences.join('; ')}`, {
      details: { name: entry.name, sha256: id.sha256, bytes: id.bytes, expectedSha256: expected.sha256, expectedBytes: expected.bytes },
    });
  }
  const reported = entry.file.reported;
  if (!reported || (reported.sha256 === undefined && reported.bytes === undefined)) return id;
  const matchesReported =
    (reported.sha256 === undefined || reported.sha256 === id.sha256) && (reported.bytes === undefined || reported.bytes === id.bytes);
  return { ...id, matchesReported };
}
