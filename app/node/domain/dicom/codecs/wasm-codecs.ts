import { describeThrown } from '../dicom-error.ts';

/**
 * The wasm codecs, each loaded on first use and only once: a second caller awaits the same
 * promise. A failed load is forgotten so the next call may try again.
 */
export type WasmCodecName = 'openjpeg' | 'openjph' | 'charls' | 'libjpeg-turbo';

export interface LoadedCodec {
  name: WasmCodecName;
  createDecoder(): DenseRayWasmDecoder;
  /** Explains a thrown value: emscripten throws bare pointers for C++ exceptions. */
  explain(thrown: unknown): string;
  /** The codec's last lines on stderr, which is where most of them say why they failed. */
  takeLog(): string[];
}

const IMPORTERS: Record<WasmCodecName, () => Promise<{ default: DenseRayCodecFactory }>> = {
  openjpeg: () => import('@cornerstonejs/codec-openjpeg/decodewasmjs'),
  openjph: () => import('@cornerstonejs/codec-openjph/wasmjs'),
  charls: () => import('@cornerstonejs/codec-charls/decodewasmjs'),
  'libjpeg-turbo': () => import('@cornerstonejs/codec-libjpeg-turbo-8bit/decodewasmjs'),
};

const DECODER_CLASS: Record<WasmCodecName, keyof DenseRayCodecModule> = {
  openjpeg: 'J2KDecoder',
  openjph: 'HTJ2KDecoder',
  charls: 'JpegLSDecoder',
  'libjpeg-turbo': 'JPEGDecoder',
};

const MAX_LOG_LINES = 20;
const loading = new Map<WasmCodecName, Promise<LoadedCodec>>();

async function instantiate(name: WasmCodecName): Promise<LoadedCodec> {
  const log: string[] = [];
  const keep = (text: string) => {
    log.push(text);
    if (log.length > MAX_LOG_LINES) log.shift();
  };
  const factoryModule = await IMPORTERS[name]();
  // The codecs chat on stdout/stderr ([INFO] lines); keep it out of the CLI's output.
  const module = await factoryModule.default({ print: keep, printErr: keep });
  const Decoder = module[DECODER_CLASS[name]] as (new () => DenseRayWasmDecoder) | undefined;
  if (typeof Decoder !== 'function') throw new Error(`codec ${name} has no ${String(DECODER_CLASS[name])}`);
  return {
    name,
    createDecoder: () => new Decoder(),
    explain(thrown) {
      if (typeof thrown === 'number') {
        const message = module.getExceptionMessage?.(thrown);
        return message ? message : `${name} raised a native exception`;
      }
      return describeThrown(thrown);
    },
    takeLog() {
      return log.splice(0, log.length);
    },
  };
}

export function loadWasmCodec(name: WasmCodecName): Promise<LoadedCodec> {
  let pending = loading.get(name);
  if (!pending) {
    pending = instantiate(name);
    pending.catch(() => loading.delete(name));
    loading.set(name, pending);
  }
  return pending;
}
