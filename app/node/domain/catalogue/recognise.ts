import type { Catalogue, CatalogueEntry } from '../../../common/contract/catalogue.ts';
import { DenseRayError } from '../../shared/errors.ts';
import { loadWeightsFile } from '../model/weights/import.ts';
import { declaredSpec } from './catalogue-manifest.ts';
import type { PinRecord } from './pins.ts';
import type { FileIdentity } from './verify.ts';

export type RecognisedBy = 'sha256' | 'structure';

export interface Recognition {
  entry: CatalogueEntry;
  by: RecognisedBy;
}

/**
 * Which catalogue model a file is, for `models import` on an air-gapped machine: by its bytes first
 * (a pinned or locally recorded sha256, or the publisher's git blob id), else by structure — the
 * layout, input channels and outputs the reader finds, and for whole pickled models the classes
 * the pickle names. Returns undefined when nothing fits; throws when several fit equally.
 */
export function recognise(
  catalogue: Catalogue,
  bytes: Uint8Array,
  id: FileIdentity,
  pins: PinRecord,
  source: string,
): Recognition | undefined {
  const recorded = pins.all();
  const byBytes = catalogue.models.filter(
    (e) =>
      e.file.sha256 === id.sha256 ||
      e.file.gitBlobSha1 === id.gitBlobSha1 ||
      (recorded[e.name]?.sha256 === id.sha256 && recorded[e.name]?.url === e.url),
  );
  if (byBytes.length === 1) return { entry: byBytes[0]!, by: 'sha256' };

  let loaded: ReturnType<typeof loadWeightsFile>;
  try {
    loaded = loadWeightsFile(bytes, source);
  } catch {
    return undefined; // not a DenseNet DenseRay reads: the plain importer will say why
  }
  const module = loaded.facts.module;
  const fits = catalogue.models.filter((e) => {
    const spec = declaredSpec(e);
    const sameNet =
      spec.inChannels === loaded.spec.inChannels &&
      spec.numClasses === loaded.spec.numClasses &&
      spec.growthRate === loaded.spec.growthRate &&
      spec.numInitFeatures === loaded.spec.numInitFeatures &&
      spec.blockConfig.join() === loaded.spec.blockConfig.join();
    if (!sameNet || e.file.layout !== loaded.layout) return false;
    // A TorchXRayVision file pickles its own DenseNet class; a CheXNet file does not.
    const xrvClass = module?.moduleClasses.some((c) => c.startsWith('torchxrayvision.')) ?? false;
    return (e.family === 'torchxrayvision') === xrvClass;
  });
  if (fits.length === 1) return { entry: fits[0]!, by: 'structure' };
  if (fits.length > 1) {
    throw new DenseRayError(
      'INVALID_ARGUMENT',
      `${source} fits several catalogue models by structure (${fits.map((e) => e.name).join(', ')}); name one with --as <name>`,
      {
        details: { candidates: fits.map((e) => e.name) },
      },
    );
  }
  return undefined;
}
