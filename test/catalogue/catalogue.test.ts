import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCatalogue, readCard } from '../../app/node/domain/catalogue/load-catalogue.ts';
import { trainedOutputs } from '../../app/node/domain/catalogue/catalogue-manifest.ts';

/** The shipped catalogue: valid, consistent, and holding the values read from the publishers' code. */
const loaded = loadCatalogue();
const byName = new Map(loaded.catalogue.models.map((e) => [e.name, e]));
const DEFAULT_PATHOLOGIES = [
  'Atelectasis',
  'Consolidation',
  'Infiltration',
  'Pneumothorax',
  'Edema',
  'Emphysema',
  'Fibrosis',
  'Effusion',
  'Pneumonia',
  'Pleural_Thickening',
  'Cardiomegaly',
  'Nodule',
  'Mass',
  'Hernia',
  'Lung Lesion',
  'Fracture',
  'Lung Opacity',
  'Enlarged Cardiomediastinum',
];
const CHEXNET14 = [
  'Atelectasis',
  'Cardiomegaly',
  'Effusion',
  'Infiltration',
  'Mass',
  'Nodule',
  'Pneumonia',
  'Pneumothorax',
  'Consolidation',
  'Edema',
  'Emphysema',
  'Fibrosis',
  'Pleural_Thickening',
  'Hernia',
];

describe('the shipped catalogue', () => {
  it('lists the seven TorchXRayVision DenseNets and both CheXNet reproductions', () => {
    expect([...byName.keys()]).toEqual([
      ...['all', 'nih', 'pc', 'chex', 'rsna', 'mimic_nb', 'mimic_ch'].map((k) => `densenet121-res224-${k}`),
      'chexnet-jrzech',
      'chexnet-arnoweng',
    ]);
  });

  it('TorchXRayVision: 18 outputs in default_pathologies order (untrained ones blank), 1 channel, [-1024, 1024], op_norm', () => {
    for (const e of loaded.catalogue.models.filter((m) => m.family === 'torchxrayvision')) {
      expect(e.outputs.length, e.name).toBe(18);
      e.outputs.forEach((o, i) => expect([DEFAULT_PATHOLOGIES[i], ''], `${e.name} ${i}`).toContain(o));
      expect(e.network).toEqual({ arch: 'densenet121', inChannels: 1 });
      expect(e.preprocessing).toMatchObject({
        size: 224,
        crop: 'center-square-xrv',
        resize: 'skimage-linear',
        channels: 1,
        mean: [0.5],
        std: [1 / 2048],
      });
      expect(e.calibration.kind).toBe('op-norm');
      expect(e.file.layout).toBe('module');
    }
    expect(byName.get('densenet121-res224-all')!.outputs).toEqual(DEFAULT_PATHOLOGIES);
    expect(trainedOutputs(byName.get('densenet121-res224-nih')!)).toHaveLength(14);
    expect(trainedOutputs(byName.get('densenet121-res224-rsna')!).map((i) => DEFAULT_PATHOLOGIES[i])).toEqual([
      'Pneumonia',
      'Lung Opacity',
    ]);
    const nih = byName.get('densenet121-res224-nih')!.calibration;
    expect(nih.kind === 'op-norm' && nih.opThresholds[4]).toBe(0.00045666535); // Edema, as in models.py
  });

  it('CheXNet reproductions: 14 labels in CheXNet order, 3 channels, ImageNet normalisation, PIL resize', () => {
    const jr = byName.get('chexnet-jrzech')!;
    const ar = byName.get('chexnet-arnoweng')!;
    for (const e of [jr, ar]) {
      expect(e.outputs).toEqual(CHEXNET14);
      expect(e.preprocessing).toMatchObject({
        size: 224,
        resize: 'pil-bilinear',
        crop: 'center-after-resize',
        channels: 3,
        mean: [0.485, 0.456, 0.406],
        std: [0.229, 0.224, 0.225],
      });
      expect(e.file.gitBlobSha1).toMatch(/^[0-9a-f]{40}$/);
      expect(e.url).toContain(e.sources[0]!.commit!);
    }
    expect(jr.preprocessing.shorterSide).toBe(224);
    expect(ar.preprocessing.shorterSide).toBe(256);
    expect([jr.file.layout, ar.file.layout]).toEqual(['dict-with-module', 'dict-with-state_dict']);
    expect([jr.reportedMeanAuroc, ar.reportedMeanAuroc]).toEqual([0.8383, 0.8427]);
  });

  it('every entry has a card, sources, and an https URL; nothing is pinned that was not seen', () => {
    for (const e of loaded.catalogue.models) {
      expect(existsSync(join(dirname(loaded.file), e.card)), e.card).toBe(true);
      expect(readCard(loaded, e)).toMatch(/^# /);
      expect(e.url.startsWith('https://')).toBe(true);
      expect(e.sources.length).toBeGreaterThan(0);
      expect(e.file.sha256).toBeNull();
    }
  });
});

describe('download progress line', () => {
  it('shows the bar, MB done/total, rate and ETA', async () => {
    const { downloadProgressLine } = await import('../../app/cli/download-progress.ts');
    const line = downloadProgressLine(
      { name: 'x', phase: 'download', receivedBytes: 10 * 1024 * 1024, totalBytes: 20 * 1024 * 1024 },
      2000,
      0,
      10,
    );
    expect(line).toBe('x [#####-----] 10.0/20.0 MB 5.0 MB/s ETA 2s');
  });
});
