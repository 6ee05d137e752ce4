import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { CHEXNET14_LABELS, IMAGENET_PREPROCESSING, ModelManifest } from '../../../common/manifest.ts';
import { DenseRayError } from '../../shared/errors.ts';
import { sha256Hex } from '../../shared/hash.ts';
import { writeFileAtomic } from '../../shared/atomic-write.ts';
import { seededDenseNetWeights } from '../model/demo-weights.ts';
import { renderModelCard } from '../model/model-card.ts';
import { specForArch } from '../model/spec.ts';
import type { WeightMap } from '../model/tensor.ts';
import { writeSafetensors } from '../model/weights/safetensors.ts';
import type { Int8Calibration } from '../model/onnx/quantize/int8-calibration.ts';
import { Int8CalibrationFile, LEGACY_CALIBRATION_FORMAT } from '../model/onnx/quantize/calibration-file.ts';

export const DEMO_MODEL_ID = 'densenet121-untrained-demo';
const DEMO_SEED = 20261125;
const WEIGHTS_FILE = 'weights.safetensors';

export interface InstalledModel {
  manifest: ModelManifest;
  dir: string;
}

/**
 * Models live in `<dataDir>/models/<id>/` as manifest.json + weights.safetensors + card.md;
 * the active model's id is in `<dataDir>/settings.json`. Installs are atomic (built in a temp
 * folder, then renamed), so a crash never leaves a half-installed model.
 */
export class ModelStore {
  readonly modelsDir: string;
  private readonly settingsPath: string;

  constructor(readonly dataDir: string) {
    this.modelsDir = join(dataDir, 'models');
    this.settingsPath = join(dataDir, 'settings.json');
  }

  list(): InstalledModel[] {
    if (!existsSync(this.modelsDir)) return [];
    return readdirSync(this.modelsDir, { withFileTypes: true })
      .filter((d) => d.isDirectory() && !d.name.startsWith('.'))
      .flatMap((d) => {
        try {
          return [this.get(d.name)];
        } catch {
          return []; // A damaged folder is reported by `get`, not allowed to hide the others.
        }
      });
  }

  has(id: string): boolean {
    return existsSync(join(this.modelsDir, id, 'manifest.json'));
  }

  get(id: string): InstalledModel {
    const dir = join(this.modelsDir, id);
    const manifestPath = join(dir, 'manifest.json');
    if (!existsSync(manifestPath)) {
      if (id === DEMO_MODEL_ID) return this.ensureDemo();
      throw new DenseRayError('MODEL_NOT_FOUND', `no model "${id}" in ${this.modelsDir}`);
    }
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(manifestPath, 'utf8'));
    } catch (cause) {
      throw new DenseRayError('MODEL_INVALID', `${manifestPath} is not valid JSON`, { cause });
    }
    const parsed = ModelManifest.safeParse(raw);
    if (!parsed.success) {
      throw new DenseRayError(
        'MODEL_INVALID',
        `${manifestPath} does not match the manifest schema: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
      );
    }
    return { manifest: parsed.data, dir };
  }

  /** The weights bytes of an installed model, checked against the manifest's sha256. */
  readWeights(model: InstalledModel): Uint8Array {
    const path = join(model.dir, model.manifest.weights.file);
    if (!existsSync(path)) throw new DenseRayError('MODEL_INVALID', `weights file missing: ${path}`);
    const bytes = readFileSync(path);
    const sha = sha256Hex(bytes);
    if (sha !== model.manifest.weights.sha256) {
      throw new DenseRayError(
        'MODEL_INVALID',
        `weights of ${model.manifest.id} are corrupt: sha256 ${sha} ≠ manifest ${model.manifest.weights.sha256}`,
      );
    }
    return bytes;
  }

  /**
   * `files` are written beside the weights (an int8 variant's calibration ranges); the manifest
   * records their sha256 itself.
   */
  install(
    manifest: Omit<ModelManifest, 'weights'>,
    weights: WeightMap,
    options: { replace?: boolean; files?: Record<string, string> } = {},
  ): InstalledModel {
    mkdirSync(this.modelsDir, { recursive: true });
    const finalDir = join(this.modelsDir, manifest.id);
    if (existsSync(finalDir) && !options.replace)
      throw new DenseRayError('INVALID_ARGUMENT', `a model with id "${manifest.id}" is already installed`);
    const bytes = writeSafetensors(weights, { id: manifest.id, arch: manifest.arch, labels: JSON.stringify(manifest.labels) });
    const full = ModelManifest.parse({ ...manifest, weights: { file: WEIGHTS_FILE, format: 'safetensors', sha256: sha256Hex(bytes) } });
    const tmp = join(this.modelsDir, `.install-${randomBytes(4).toString('hex')}`);
    mkdirSync(tmp);
    try {
      writeFileSync(join(tmp, WEIGHTS_FILE), bytes);
      for (const [name, text] of Object.entries(options.files ?? {})) writeFileSync(join(tmp, basename(name)), text);
      writeFileSync(join(tmp, 'manifest.json'), `${JSON.stringify(full, null, 2)}\n`);
      writeFileSync(join(tmp, 'card.md'), renderModelCard(full));
      if (existsSync(finalDir)) rmSync(finalDir, { recursive: true });
      renameSync(tmp, finalDir);
    } catch (error) {
      rmSync(tmp, { recursive: true, force: true });
      throw error;
    }
    return { manifest: full, dir: finalDir };
  }

  remove(id: string): void {
    const dir = join(this.modelsDir, id);
    if (!existsSync(dir)) throw new DenseRayError('MODEL_NOT_FOUND', `no model "${id}" in ${this.modelsDir}`);
    rmSync(dir, { recursive: true });
    if (this.activeId() === id) this.writeSettings({ ...this.readSettings(), activeModel: undefined });
  }

  /** The active model id; the demo model when none was chosen. */
  activeId(): string {
    const active = this.readSettings().activeModel;
    return typeof active === 'string' && this.has(active) ? active : DEMO_MODEL_ID;
  }

  /** Refuses an int8 variant that missed its fidelity bar, unless it was installed forced (with its reason recorded). */
  setActive(id: string): void {
    const { manifest } = this.get(id);
    const gate = manifest.quantization?.gate;
    if (gate && !gate.passed && !gate.forced) {
      throw new DenseRayError(
        'QUANTIZATION_GATE_FAILED',
        `${id} missed its fidelity bar against ${manifest.parent ?? 'its parent'} (${gate.failures.join('; ')}); it cannot be activated`,
      );
    }
    this.writeSettings({ ...this.readSettings(), activeModel: id });
  }

  /**
   * The calibration (ranges) an int8 variant runs with, checked against the manifest's sha256;
   * undefined for a float32 model.
   */
  readInt8Calibration(model: InstalledModel): Int8Calibration | undefined {
    const q = model.manifest.quantization;
    if (model.manifest.precision !== 'int8') return undefined;
    if (!q) throw new DenseRayError('MODEL_INVALID', `${model.manifest.id} says int8 but records no quantization`);
    const path = join(model.dir, basename(q.calibrationFile));
    if (!existsSync(path)) throw new DenseRayError('MODEL_INVALID', `int8 calibration missing: ${path}`);
    const bytes = readFileSync(path);
    if (sha256Hex(bytes) !== q.calibrationSha256)
      throw new DenseRayError('MODEL_INVALID', `int8 calibration of ${model.manifest.id} is corrupt: sha256 differs from the manifest`);
    let json: unknown;
    try {
      json = JSON.parse(bytes.toString('utf8'));
    } catch (cause) {
      throw new DenseRayError('MODEL_INVALID', `${path} is not JSON`, { cause });
    }
    if ((json as { format?: unknown } | null)?.format === LEGACY_CALIBRATION_FORMAT)
      throw new DenseRayError(
        'MODEL_INVALID',
        `${model.manifest.id} was quantised by an earlier DenseRay (float graph rewritten to QDQ), which this version no longer runs; make it again with \`denseray models quantize ${model.manifest.parent ?? '<parent>'}\``,
      );
    const parsed = Int8CalibrationFile.safeParse(json);
    if (!parsed.success)
      throw new DenseRayError('MODEL_INVALID', `${path} is not an int8 calibration file: ${parsed.error.issues[0]?.message ?? ''}`);
    return parsed.data;
  }

  /** Installs the seeded, untrained DenseNet-121 once; later calls return it. */
  ensureDemo(): InstalledModel {
    if (existsSync(join(this.modelsDir, DEMO_MODEL_ID, 'manifest.json'))) return this.get(DEMO_MODEL_ID);
    const spec = specForArch('densenet121', CHEXNET14_LABELS.length);
    return this.install(
      {
        schemaVersion: 1,
        id: DEMO_MODEL_ID,
        name: 'untrained demo — for trying the app only',
        version: '1',
        arch: 'densenet121',
        spec: {
          growthRate: spec.growthRate,
          blockConfig: spec.blockConfig,
          numInitFeatures: spec.numInitFeatures,
          bnSize: spec.bnSize,
          inChannels: 3,
        },
        labels: [...CHEXNET14_LABELS],
        preprocessing: IMAGENET_PREPROCESSING,
        output: { activation: 'sigmoid' },
        thresholds: {},
        camLayer: 'features.norm5.relu',
        demo: true,
        provenance: {
          source: `DenseRay: torchvision-style random initialisation, seed ${DEMO_SEED}. Never trained.`,
          createdAt: new Date().toISOString(),
          notes: 'Its probabilities mean nothing. Import real weights (denseray models import) before reading any result.',
        },
      },
      seededDenseNetWeights(spec, DEMO_SEED),
      { replace: true },
    );
  }

  private readSettings(): Record<string, unknown> {
    try {
      const value: unknown = JSON.parse(readFileSync(this.settingsPath, 'utf8'));
      return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
    } catch {
      return {};
    }
  }

  private writeSettings(settings: Record<string, unknown>): void {
    mkdirSync(this.dataDir, { recursive: true });
    writeFileAtomic(this.settingsPath, `${JSON.stringify(settings, null, 2)}\n`);
  }
}
