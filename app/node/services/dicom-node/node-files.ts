import { join } from 'node:path';

/** Where the DICOM node keeps what it receives and what it will send, under the data folder. */
export interface NodeFiles {
  /** Received and retrieved instances, by content hash (the study store refers to them). */
  received: string;
  /** Datasets still arriving (partial); emptied when a listener starts. */
  incoming: string;
  /** Instances being retrieved over DICOMweb (apart from `incoming`: a listener starting must not empty it). */
  retrieving: string;
  /** SR and Secondary Capture files, kept until delivered (and after, for the record). */
  outbox: string;
  /** The listener settings the app last used. */
  settings: string;
}

export function nodeFiles(dataDir: string): NodeFiles {
  const root = join(dataDir, 'dicom-node');
  return {
    received: join(root, 'received'),
    incoming: join(root, 'incoming'),
    retrieving: join(root, 'retrieving'),
    outbox: join(root, 'outbox'),
    settings: join(root, 'settings.json'),
  };
}
