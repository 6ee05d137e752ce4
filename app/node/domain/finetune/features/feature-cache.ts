import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Augmentation } from '../../../../common/contract/finetune.ts';
import type { Preprocessing } from '../../../../common/manifest.ts';
import type { CachePoint } from './backbone.ts';

/** Bump when the way cached features are computed changes, so old files are never misread. */
const CACHE_FORMAT = 1;

/**
 * Backbone outputs on disk, one raw float32 file per image view, under
 * `<dataDir>/finetune-cache/<backbone key>/<2 hex>/<view key>.f32`. The backbone key covers the
 * weights' sha256, the preprocessing and where the backbone stops; the view key covers the image's
 * sha256 (and, for augmented views, the augmentation, seed and view number). A second run over the
 * same data with the same parent therefore never runs the backbone again.
 */
export class FeatureCache {
  readonly dir: string;

  constructor(root: string, weightsSha256: string, preprocessing: Preprocessing, point: CachePoint) {
    const key = sha256(JSON.stringify({ format: CACHE_FORMAT, weightsSha256, preprocessing, point }));
    this.dir = join(root, key.slice(0, 24));
  }

  static viewKey(imageSha256: string, view: number, augmentation: Augmentation | null, seed: number): string {
    return view === 0 || augmentation === null ? imageSha256 : sha256(JSON.stringify({ imageSha256, view, augmentation, seed }));
  }

  read(viewKey: string, length: number): Float32Array | undefined {
    const path = this.path(viewKey);
    if (!existsSync(path)) return undefined;
    const bytes = readFileSync(path);
    // A truncated or foreign file is treated as absent and recomputed.
    if (bytes.length !== length * 4) return undefined;
    const out = new Float32Array(length);
    new Uint8Array(out.buffer).set(bytes);
    return out;
  }

  write(viewKey: string, values: Float32Array): void {
    const path = this.path(viewKey);
    mkdirSync(join(path, '..'), { recursive: true });
    const tmp = `${path}.${randomBytes(4).toString('hex')}.tmp`;
    writeFileSync(tmp, new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
    renameSync(tmp, path);
  }

  private path(viewKey: string): string {
    return join(this.dir, viewKey.slice(0, 2), `${viewKey}.f32`);
  }
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
