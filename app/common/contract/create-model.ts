import { z } from 'zod';
import { ModelManifest } from '../manifest.ts';

/**
 * `models.create` / `denseray models create`: a new, untrained DenseNet of the paper's family
 * (Huang et al. 2017), seeded and installed, for training from scratch with `finetune --mode full`.
 */
export const DenseNetFamily = z.enum(['densenet', 'densenet-b', 'densenet-c', 'densenet-bc']);
export type DenseNetFamily = z.infer<typeof DenseNetFamily>;

export const CreateModelRequest = z
  .object({
    /** Sets the defaults: `-b` a bottleneck, `-c` compression 0.5, `-bc` both, plain neither. */
    arch: DenseNetFamily,
    /** The paper's depth L for three equal dense blocks: L = 3·n·(2 with a bottleneck, else 1) + 4. */
    depth: z.number().int().min(7).max(1000).optional(),
    /** Layers per dense block, any number of blocks (instead of `depth`). */
    blocks: z.array(z.number().int().min(1).max(256)).min(1).max(8).optional(),
    growthRate: z.number().int().min(1).max(256).default(12),
    /** θ ∈ (0, 1]; default from `arch`. */
    compression: z.number().gt(0).max(1).optional(),
    /** Default from `arch`. */
    bottleneck: z.boolean().optional(),
    bnSize: z.number().int().min(1).max(16).default(4),
    /** Default: `cifar` with `depth` (the paper's CIFAR recipe), `imagenet` with `blocks`. */
    stem: z.enum(['imagenet', 'cifar']).optional(),
    /** Channels out of the stem: default 2k for DenseNet-BC and every ImageNet stem, 16 otherwise (the paper's). */
    stemChannels: z.number().int().min(1).max(1024).optional(),
    labels: z.array(z.string().min(1).max(200)).min(1).max(1000),
    inputSize: z.number().int().min(16).max(1024),
    /** 1: the film's grayscale once; 3: replicated, as ImageNet-style nets take it. */
    channels: z.union([z.literal(1), z.literal(3)]).default(1),
    seed: z
      .number()
      .int()
      .min(0)
      .max(2 ** 32 - 1)
      .default(0),
    id: z
      .string()
      .regex(/^[a-z0-9][a-z0-9._-]{0,79}$/)
      .optional(),
    name: z.string().min(1).max(200).optional(),
    activate: z.boolean().default(false),
  })
  .refine((r) => (r.depth === undefined) !== (r.blocks === undefined), { message: 'give either depth or blocks' });
export type CreateModelRequest = z.input<typeof CreateModelRequest>;

export const CreateModelResult = z.object({
  manifest: ModelManifest,
  /** Trainable parameters (running statistics excluded), as the paper counts them. */
  parameters: z.number().int(),
  /** E.g. "DenseNet-BC, L=100, k=12, θ=0.5, bottleneck 4k, CIFAR stem (24 ch), blocks 16/16/16". */
  architecture: z.string(),
});
export type CreateModelResult = z.infer<typeof CreateModelResult>;
