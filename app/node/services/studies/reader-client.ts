import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { StudyPixels, StudySummary, StudyTag } from '../../../common/contract/studies.ts';
import { ModelManifest } from '../../../common/manifest.ts';
import { DenseRayError } from '../../shared/errors.ts';
import { PendingReplies } from '../../shared/process/pending-replies.ts';
import { forkChild, type ChildTransport } from '../../shared/process/child-transport.ts';
import { ReaderReply, type ReaderRequest } from './reader-protocol.ts';
import type { InspectedStudy, StudyFilePixels } from './read-study-file.ts';

export const READER_ENTRY = fileURLToPath(new URL('./reader-process.ts', import.meta.url));

const InspectedValue = z.object({
  info: StudySummary.omit({ id: true }),
  identity: z.object({
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
    sopInstanceUid: z.string().optional(),
    patientId: z.string().optional(),
  }),
});
const PixelsValue = StudyPixels.omit({ id: true });

type RequestBody = ReaderRequest extends infer R ? (R extends { id: number } ? Omit<R, 'id'> : never) : never;

/**
 * Host side of the reader protocol. The process starts on first use; if it dies (a decoder crash
 * on a hostile file), requests in flight fail with INTERNAL and the next request starts a new one.
 */
export class ReaderClient {
  private transport: ChildTransport | undefined;
  private readonly pending = new PendingReplies();
  restarts = 0;

  constructor(private readonly start: () => ChildTransport = () => forkChild(READER_ENTRY)) {}

  async expand(paths: string[]): Promise<string[]> {
    return z.array(z.string()).parse(await this.request({ op: 'expand', paths }));
  }

  async inspect(path: string): Promise<InspectedStudy> {
    return InspectedValue.parse(await this.request({ op: 'inspect', path }));
  }

  async pixels(path: string, frame: number): Promise<StudyFilePixels> {
    return PixelsValue.parse(await this.request({ op: 'pixels', path, frame }));
  }

  async tags(path: string): Promise<StudyTag[]> {
    return z.array(StudyTag).parse(await this.request({ op: 'tags', path }));
  }

  async importModel(request: {
    dataDir: string;
    path: string;
    arch?: string | undefined;
    labels?: string | undefined;
    name?: string | undefined;
  }): Promise<ModelManifest> {
    const { arch, labels, name } = request;
    return ModelManifest.parse(
      await this.request({
        op: 'importModel',
        dataDir: request.dataDir,
        path: request.path,
        ...(arch ? { arch } : {}),
        ...(labels ? { labels } : {}),
        ...(name ? { name } : {}),
      }),
    );
  }

  close(): void {
    this.transport?.kill();
    this.transport = undefined;
  }

  private ensure(): ChildTransport {
    if (this.transport) return this.transport;
    const transport = this.start();
    this.transport = transport;
    transport.onMessage((raw) => this.receive(raw));
    transport.onExit((code) => {
      if (this.transport !== transport) return;
      this.transport = undefined;
      this.restarts++;
      this.pending.failAll(new DenseRayError('INTERNAL', `the file reader process exited (code ${code}); the request was not completed`));
    });
    return transport;
  }

  private request(body: RequestBody): Promise<unknown> {
    const transport = this.ensure();
    const { id, reply } = this.pending.open(undefined);
    transport.post({ ...body, id });
    return reply;
  }

  private receive(raw: unknown): void {
    const parsed = ReaderReply.safeParse(raw);
    if (!parsed.success) return; // never trust a reply that does not parse
    this.pending.settle(parsed.data);
  }
}
