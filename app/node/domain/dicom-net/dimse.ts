import { createRequire } from 'node:module';

/**
 * dcmjs-dimse, loaded once. It is a CommonJS webpack bundle whose named exports Node cannot see
 * from ESM, so it is required; its own typings describe it. Its logger is silenced: the node logs
 * every association and transfer in the study store, in words a PACS administrator can act on.
 */
export type Dimse = typeof import('dcmjs-dimse');

let loaded: Dimse | undefined;

export function dimse(): Dimse {
  if (!loaded) {
    loaded = createRequire(import.meta.url)('dcmjs-dimse') as Dimse;
    loaded.log.setLevel('silent');
  }
  return loaded;
}

/** C-STORE statuses (PS3.4 Annex B.2.3): the library names only the generic ones. */
export const STORE_STATUS = {
  success: 0x0000,
  /** Refused: Out of Resources. */
  outOfResources: 0xa700,
  /** Error: Data Set does not match SOP Class. */
  datasetMismatch: 0xa900,
  /** Error: Cannot understand. */
  cannotUnderstand: 0xc000,
} as const;

export const VERIFICATION_SOP_CLASS = '1.2.840.10008.1.1';
/** Every Storage SOP Class lives under this root (PS3.4 Annex B.5). */
export const STORAGE_SOP_CLASS_ROOT = '1.2.840.10008.5.1.4.1.1.';
