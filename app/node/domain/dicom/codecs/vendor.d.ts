// Typings for the untyped codec packages, limited to what the pixel handlers call.

interface DenseRayWasmFrameInfo {
  width: number;
  height: number;
  bitsPerSample: number;
  componentCount: number;
  isSigned?: boolean;
}

interface DenseRayWasmDecoder {
  getEncodedBuffer(length: number): Uint8Array;
  getDecodedBuffer(): Uint8Array;
  decode(): void;
  getFrameInfo(): DenseRayWasmFrameInfo;
  /** JPEG-LS only: 0 = planar codestream (ILV none), 1 = line, 2 = sample interleaved. */
  getInterleaveMode?(): number;
  delete(): void;
}

interface DenseRayEmscriptenOptions {
  print?: (text: string) => void;
  printErr?: (text: string) => void;
}

interface DenseRayCodecModule {
  J2KDecoder?: new () => DenseRayWasmDecoder;
  HTJ2KDecoder?: new () => DenseRayWasmDecoder;
  JpegLSDecoder?: new () => DenseRayWasmDecoder;
  JPEGDecoder?: new () => DenseRayWasmDecoder;
  getExceptionMessage?(pointer: number): string;
}

type DenseRayCodecFactory = (options?: DenseRayEmscriptenOptions) => Promise<DenseRayCodecModule>;

declare module '@cornerstonejs/codec-openjpeg/decodewasmjs' {
  const factory: DenseRayCodecFactory;
  export default factory;
}
declare module '@cornerstonejs/codec-openjph/wasmjs' {
  const factory: DenseRayCodecFactory;
  export default factory;
}
declare module '@cornerstonejs/codec-charls/decodewasmjs' {
  const factory: DenseRayCodecFactory;
  export default factory;
}
declare module '@cornerstonejs/codec-libjpeg-turbo-8bit/decodewasmjs' {
  const factory: DenseRayCodecFactory;
  export default factory;
}
