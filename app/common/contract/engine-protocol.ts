import { z } from 'zod';
import { DEFAULT_BACKEND } from '../defaults.ts';
import { ErrorInfo } from '../errors.ts';
import { BackendChoice, FileResult, ModelInfo } from './classify.ts';

/**
 * Messages between a host (CLI, Electron main) and the engine process. Every message is parsed
 * with these schemas on arrival; typed arrays travel by structured clone, not as JSON lists.
 */
export const EngineOpen = z.object({
  type: z.literal('open'),
  id: z.number().int(),
  dataDir: z.string(),
  modelId: z.string().optional(),
  /** Run a weights file directly instead of an installed model (parsed in the engine process, untrusted). */
  weightsFile: z.string().min(1).max(4096).optional(),
  arch: z.string().max(40).optional(),
  labels: z.string().max(4096).optional(),
  inputSize: z.number().int().positive().max(4096).optional(),
  backend: BackendChoice.default(DEFAULT_BACKEND),
  threads: z.number().int().positive().optional(),
});

export const EngineClassify = z.object({
  type: z.literal('classify'),
  id: z.number().int(),
  files: z.array(z.string()).max(100_000),
  cams: z.boolean().default(false),
  frame: z.number().int().nonnegative().optional(),
  batchSize: z.number().int().positive().max(64).optional(),
});

export const EngineCancel = z.object({ type: z.literal('cancel'), id: z.number().int(), target: z.number().int() });
export const EngineInfo = z.object({ type: z.literal('info'), id: z.number().int() });

export const EngineRequest = z.discriminatedUnion('type', [EngineOpen, EngineClassify, EngineCancel, EngineInfo]);
export type EngineRequest = z.infer<typeof EngineRequest>;
/** What a caller writes: fields with defaults may be left out. */
export type EngineRequestInput = z.input<typeof EngineRequest>;

export const EngineReply = z.discriminatedUnion('ok', [
  z.object({ type: z.literal('reply'), id: z.number().int(), ok: z.literal(true), value: z.unknown() }),
  z.object({ type: z.literal('reply'), id: z.number().int(), ok: z.literal(false), error: ErrorInfo }),
]);

/** Streamed while a classify request runs: one per file, in completion order. */
export const EngineResultEvent = z.object({ type: z.literal('result'), id: z.number().int(), index: z.number().int(), result: FileResult });

export const EngineMessage = z.union([EngineReply, EngineResultEvent]);
export type EngineMessage = z.infer<typeof EngineMessage>;

export const OpenValue = ModelInfo;
export const ClassifyValue = z.object({ results: z.array(FileResult), cancelled: z.boolean() });
export type ClassifyValue = z.infer<typeof ClassifyValue>;
