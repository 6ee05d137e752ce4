import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { Catalogue, type CatalogueEntry } from '../../../common/contract/catalogue.ts';
import { DenseRayError } from '../../shared/errors.ts';
import { projectFile } from '../../shared/project-files.ts';

/** The catalogue shipped with DenseRay. */
export const DEFAULT_CATALOGUE_FILE = projectFile('models', 'catalogue', 'catalogue.json');

export interface LoadedCatalogue {
  catalogue: Catalogue;
  /** The file it came from; cards are relative to it. */
  file: string;
}

/**
 * Reads and validates a catalogue. DENSERAY_CATALOGUE names another file (an institution's mirror
 * of the same models, or a test's loopback copy); the shipped one stays the reference.
 */
export function loadCatalogue(file = process.env.DENSERAY_CATALOGUE ?? DEFAULT_CATALOGUE_FILE): LoadedCatalogue {
  const path = resolve(file);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (cause) {
    throw new DenseRayError('MODEL_INVALID', `cannot read the model catalogue ${path}`, { cause });
  }
  const parsed = Catalogue.safeParse(raw);
  if (!parsed.success) {
    throw new DenseRayError(
      'MODEL_INVALID',
      `${path} is not a valid catalogue: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  }
  checkConsistency(parsed.data, path);
  return { catalogue: parsed.data, file: path };
}

/** What zod cannot say per field: unique names, aligned calibration, a spec for custom networks. */
function checkConsistency(catalogue: Catalogue, path: string): void {
  const problems: string[] = [];
  const names = new Set<string>();
  for (const e of catalogue.models) {
    if (names.has(e.name)) problems.push(`${e.name}: listed twice`);
    names.add(e.name);
    if (e.calibration.kind === 'op-norm') {
      if (e.calibration.opThresholds.length !== e.outputs.length)
        problems.push(`${e.name}: ${e.calibration.opThresholds.length} op thresholds for ${e.outputs.length} outputs`);
      e.calibration.opThresholds.forEach((t, i) => {
        if ((t === null) !== (e.outputs[i] === ''))
          problems.push(`${e.name}: output ${i} must have a threshold exactly when it is trained`);
      });
    }
    if (e.outputs.every((o) => o === '')) problems.push(`${e.name}: no trained outputs`);
    const named = e.outputs.filter((o) => o !== '');
    if (new Set(named).size !== named.length) problems.push(`${e.name}: output names repeat`);
    if ((e.network.arch === 'custom') !== (e.network.spec !== undefined))
      problems.push(`${e.name}: a spec is given exactly for arch custom`);
    if (e.preprocessing.channels !== e.network.inChannels)
      problems.push(`${e.name}: preprocessing makes ${e.preprocessing.channels} channels, the network takes ${e.network.inChannels}`);
  }
  if (problems.length > 0) throw new DenseRayError('MODEL_INVALID', `${path}: ${problems.join('; ')}`);
}

export function findEntry(catalogue: Catalogue, name: string): CatalogueEntry {
  const entry = catalogue.models.find((e) => e.name === name);
  if (!entry) {
    throw new DenseRayError('MODEL_NOT_FOUND', `no catalogue model "${name}"; known: ${catalogue.models.map((e) => e.name).join(', ')}`);
  }
  return entry;
}

/** The entry's model card (Markdown); a missing card reads as a one-line note rather than failing a listing. */
export function readCard(loaded: LoadedCatalogue, entry: CatalogueEntry): string {
  const path = join(dirname(loaded.file), entry.card);
  return existsSync(path) ? readFileSync(path, 'utf8') : `# ${entry.title}\n\n(model card ${entry.card} is missing)\n`;
}
