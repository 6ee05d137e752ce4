import { z } from 'zod';
import { Arch, DenseNetSpecSchema, ModelManifest, Preprocessing } from '../manifest.ts';

/**
 * The model catalogue (models/catalogue/catalogue.json): published chest X-ray DenseNets DenseRay
 * knows how to fetch, verify and run exactly as their authors' Python code does. Data, validated
 * here; nothing in it is fetched unless a person asks for that model.
 */

const Sha256 = z.string().regex(/^[0-9a-f]{64}$/);
export const CatalogueName = z.string().regex(/^[a-z0-9][a-z0-9._-]{0,79}$/, 'lower-case letters, digits, . _ -');

/** Where a value in the catalogue was read: a file in a public repository, at a commit when seen. */
export const ValueSource = z.object({
  what: z.string().min(1),
  repo: z.string().min(1),
  path: z.string().min(1),
  commit: z
    .string()
    .regex(/^[0-9a-f]{40}$/)
    .optional(),
});

export const CatalogueEntry = z.object({
  name: CatalogueName,
  title: z.string().min(1),
  family: z.enum(['torchxrayvision', 'chexnet-jrzech', 'chexnet-arnoweng']),
  /** The one URL a fetch downloads from. */
  url: z.string().url(),
  homepage: z.string().url(),
  licence: z.object({ name: z.string().min(1), url: z.string().url().optional(), note: z.string().optional() }),
  file: z.object({
    /** Name the download is kept under while it is fetched. */
    name: z.string().regex(/^[A-Za-z0-9._-]+$/),
    /** How the weights sit in the file, as DenseRay's reader reports it (checked at import). */
    layout: z.enum(['state_dict', 'dict-with-state_dict', 'module', 'dict-with-module']),
    /** Exact size when known; the download must have it. */
    bytes: z.number().int().positive().nullable(),
    /** Pinned sha256 when known; null = unpinned (the first verified download records it locally). */
    sha256: Sha256.nullable(),
    /**
     * Git object id of the file in the publisher's repository at the commit `url` names: content-
     * addressed by the publisher's own history, so it verifies the first download before any sha256
     * is known.
     */
    gitBlobSha1: z
      .string()
      .regex(/^[0-9a-f]{40}$/)
      .optional(),
    /** Size/sha256 someone other than the publisher reported: shown and compared, never enforced. */
    reported: z.object({ bytes: z.number().int().positive().optional(), sha256: Sha256.optional(), source: z.string() }).optional(),
  }),
  network: z.object({
    arch: Arch,
    inChannels: z.union([z.literal(1), z.literal(3)]),
    /** Only for arch `custom` (tests build small networks this way). */
    spec: DenseNetSpecSchema.omit({ inChannels: true }).optional(),
  }),
  /** Every output of the network in order; '' marks an output its publisher left untrained (dropped at import). */
  outputs: z.array(z.string()).min(1),
  preprocessing: Preprocessing,
  /** How the publisher turns outputs into scores; `op-norm` thresholds align with `outputs` (null = untrained). */
  calibration: z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('none') }),
    z.object({ kind: z.literal('op-norm'), opThresholds: z.array(z.number().gt(0).lt(1).nullable()).min(1) }),
  ]),
  /** What the publisher's code does at test time and how DenseRay matches it (or where it does not). */
  testTime: z.string().min(1),
  /** Model card, relative to the catalogue file. */
  card: z.string().regex(/^[A-Za-z0-9._/-]+\.md$/),
  reportedMeanAuroc: z.number().min(0).max(1).nullable(),
  sources: z.array(ValueSource).min(1),
});
export type CatalogueEntry = z.infer<typeof CatalogueEntry>;

export const Catalogue = z.object({
  schemaVersion: z.literal(1),
  models: z.array(CatalogueEntry).min(1),
});
export type Catalogue = z.infer<typeof Catalogue>;

/** How sure DenseRay is of a catalogue file's bytes. */
export const PinStatus = z.enum(['pinned', 'recorded', 'unpinned']);
export type PinStatus = z.infer<typeof PinStatus>;

export const CatalogueListItem = z.object({
  entry: CatalogueEntry,
  /** The model card as Markdown. */
  card: z.string(),
  /** `pinned` in the catalogue, `recorded` on this machine by an earlier verified download, or `unpinned`. */
  pin: PinStatus,
  sha256: Sha256.nullable(),
  /** Installed model id when this catalogue model is installed. */
  installedId: z.string().nullable(),
  active: z.boolean(),
});
export type CatalogueListItem = z.infer<typeof CatalogueListItem>;

export const FetchRequest = z.object({ name: CatalogueName, activate: z.boolean().default(false) });
export const FetchResult = z.object({
  manifest: ModelManifest,
  sha256: Sha256,
  bytes: z.number().int().nonnegative(),
  pin: PinStatus,
  /** True when a partial download was resumed with an HTTP range request. */
  resumed: z.boolean(),
  active: z.boolean(),
});
export type FetchResult = z.infer<typeof FetchResult>;

export const CatalogueImportRequest = z.object({
  path: z.string().min(1).max(4096),
  /** Catalogue name to apply; recognised by sha256 or structure when absent. */
  as: CatalogueName.optional(),
  activate: z.boolean().default(false),
});
export const CatalogueImportResult = z.object({
  manifest: ModelManifest,
  catalogueName: CatalogueName,
  recognisedBy: z.enum(['name', 'sha256', 'structure']),
  active: z.boolean(),
});
export type CatalogueImportResult = z.infer<typeof CatalogueImportResult>;

/** Pushed on `catalogue.progress` while a fetch runs (throttled), and once per phase change. */
export const FetchProgress = z.object({
  name: CatalogueName,
  phase: z.enum(['download', 'verify', 'import', 'done', 'failed', 'cancelled']),
  receivedBytes: z.number().int().nonnegative(),
  totalBytes: z.number().int().positive().nullable(),
});
export type FetchProgress = z.infer<typeof FetchProgress>;
export const FETCH_PROGRESS_CHANNEL = 'catalogue.progress';
