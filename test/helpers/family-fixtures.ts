import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DenseNetSpec } from '../../app/node/domain/model/spec.ts';
import type { WeightMap } from '../../app/node/domain/model/tensor.ts';
import { readSafetensors } from '../../app/node/domain/model/weights/safetensors.ts';
import { type NpyArray, readNpy } from './npy.ts';
import { projectRoot } from './shared.ts';

/**
 * Test-only access to test/fixtures/densenet-family: small nets of every DenseNet variant and PyTorch's
 * outputs for them, made by make_family.py (torchvision for BC/ImageNet, the paper's definition for the rest).
 */

const dir = join(projectRoot, 'test', 'fixtures', 'densenet-family');

/** A spec as PyTorch's side states it: every knob explicit. */
export type ExplicitSpec = Required<DenseNetSpec>;

interface FamilyJson {
  variants: Record<
    string,
    { spec: ExplicitSpec; builtBy: string; input: string; inputSize: number; parameters: number; featureShape: number[] }
  >;
  paper: Record<string, { spec: ExplicitSpec; parameters: number; paperMillions: number }>;
}

export const family = JSON.parse(readFileSync(join(dir, 'family.json'), 'utf8')) as FamilyJson;

export const FAMILY_VARIANTS = Object.keys(family.variants);

export interface FamilyCase {
  spec: ExplicitSpec;
  weights: WeightMap;
  input: NpyArray;
  inputSize: number;
  logits: NpyArray;
  features: NpyArray;
  cam: NpyArray;
  parameters: number;
}

export function loadFamilyCase(variant: string): FamilyCase {
  const v = family.variants[variant];
  if (!v) throw new Error(`no family variant ${variant}`);
  return {
    spec: v.spec,
    weights: readSafetensors(readFileSync(join(dir, `${variant}.safetensors`)), variant).tensors,
    input: readNpy(join(dir, v.input)),
    inputSize: v.inputSize,
    logits: readNpy(join(dir, `${variant}.logits.npy`)),
    features: readNpy(join(dir, `${variant}.features.npy`)),
    cam: readNpy(join(dir, `${variant}.cam.npy`)),
    parameters: v.parameters,
  };
}
