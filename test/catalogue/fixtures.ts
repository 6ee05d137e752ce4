import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Catalogue, CatalogueEntry } from '../../app/common/contract/catalogue.ts';
import { DEFAULT_CATALOGUE_FILE, loadCatalogue, type LoadedCatalogue } from '../../app/node/domain/catalogue/load-catalogue.ts';
import { projectRoot, shared } from '../helpers/shared.ts';

/** test/fixtures/catalogue: tiny networks in each family's file layout and their PyTorch outputs (make_fixtures.py). */
export const fixtureDir = join(projectRoot, 'test', 'fixtures', 'catalogue');

interface Probe {
  sum: number;
  at: number[];
  values: number[];
}

export interface Expected {
  tiny: { growth_rate: number; block_config: number[]; num_init_features: number; bn_size: number };
  images: Record<string, string>;
  files: Record<CatalogueEntry['family'], string[]>;
  outputs: Record<string, { labels: string[]; values: number[]; tenCropMean?: number[] }>;
  inputs: Record<string, Probe>;
}

export const expected = JSON.parse(readFileSync(join(fixtureDir, 'expected.json'), 'utf8')) as Expected;

export function imagePath(name: string): string {
  const rel = expected.images[name]!;
  return rel.startsWith('shared:') ? shared(...rel.slice('shared:'.length).split('/')) : join(projectRoot, rel);
}

/** The real catalogue, each entry's network swapped for the fixtures' tiny one and, when given, its URL for a loopback one. */
export function tinyCatalogue(urlFor?: (entry: CatalogueEntry) => string): LoadedCatalogue {
  const real = loadCatalogue(DEFAULT_CATALOGUE_FILE);
  const t = expected.tiny;
  const models = real.catalogue.models.map((e): CatalogueEntry => {
    // The fixtures are not the published files: only their layout is the same, so no blob id or reports.
    const { gitBlobSha1: _blob, reported: _reported, ...file } = e.file;
    return {
      ...e,
      file,
      url: urlFor ? urlFor(e) : e.url,
      network: {
        arch: 'custom',
        inChannels: e.network.inChannels,
        spec: { growthRate: t.growth_rate, blockConfig: t.block_config, numInitFeatures: t.num_init_features, bnSize: t.bn_size },
      },
    };
  });
  const catalogue: Catalogue = { ...real.catalogue, models };
  return { catalogue, file: real.file };
}
