// Typings for dcmjs (it ships none), limited to the Part 10 reading and writing DenseRay uses.

declare module 'dcmjs' {
  /** dcmjs's denaturalised form: tag hex (e.g. "00100010") → VR and values. */
  type DcmjsDenaturalised = Record<string, { vr: string; Value?: unknown[]; InlineBinary?: string }>;

  interface DcmjsDicomDict {
    meta: DcmjsDenaturalised;
    dict: DcmjsDenaturalised;
    write(options?: { allowInvalidVRLength?: boolean }): ArrayBuffer;
  }

  interface DcmjsReadOptions {
    ignoreErrors?: boolean;
    untilTag?: string | null;
    includeUntilTagValue?: boolean;
    noCopy?: boolean;
  }

  const dcmjs: {
    data: {
      DicomDict: new (meta: DcmjsDenaturalised) => DcmjsDicomDict;
      DicomMessage: { readFile(buffer: ArrayBuffer, options?: DcmjsReadOptions): DcmjsDicomDict };
      DicomMetaDictionary: {
        naturalizeDataset(dataset: DcmjsDenaturalised): Record<string, unknown>;
        denaturalizeDataset(dataset: Record<string, unknown>): DcmjsDenaturalised;
      };
    };
    log: { setLevel(level: string): void };
  };
  export default dcmjs;
}
