import { z } from 'zod';
import { ErrorInfo } from '../../../common/errors.ts';

/** Messages between a host and the study-reader process; both ends parse what they receive. */
const Path = z.string().min(1).max(4096);
export const ReaderRequest = z.discriminatedUnion('op', [
  z.object({ id: z.number().int(), op: z.literal('expand'), paths: z.array(Path).max(1000) }),
  z.object({ id: z.number().int(), op: z.literal('inspect'), path: Path }),
  z.object({ id: z.number().int(), op: z.literal('pixels'), path: Path, frame: z.number().int().nonnegative() }),
  z.object({ id: z.number().int(), op: z.literal('tags'), path: Path }),
  // Weights files are untrusted too (pickles): they are parsed and installed here, not in the host.
  z.object({
    id: z.number().int(),
    op: z.literal('importModel'),
    dataDir: Path,
    path: Path,
    arch: z.string().optional(),
    labels: z.string().optional(),
    name: z.string().optional(),
  }),
]);
export type ReaderRequest = z.infer<typeof ReaderRequest>;

export const ReaderReply = z.discriminatedUnion('ok', [
  z.object({ id: z.number().int(), ok: z.literal(true), value: z.unknown() }),
  z.object({ id: z.number().int(), ok: z.literal(false), error: ErrorInfo }),
]);
export type ReaderReply = z.infer<typeof ReaderReply>;
