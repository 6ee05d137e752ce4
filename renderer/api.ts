// The renderer's only door to the back end. In the desktop app the preload bridge
// (window.denseray: one function per API-table entry) carries calls over IPC with typed arrays by
// structured clone; in browser mode the same calls go over HTTP as binary envelopes. Nothing else
// in renderer/ knows which transport is in use.
import { z } from 'zod';
import { api, ApiEvent, type ApiMethod, type ApiRequest, type ApiResponse } from '../app/common/contract/api.ts';
import { UiEvents, type UiEventChannel, type UiEventPayload } from '../app/common/contract/ui.ts';
import { decodeEnvelope, encodeEnvelope, WIRE_CONTENT_TYPE } from '../app/common/contract/wire.ts';
import { ErrorInfo } from '../app/common/errors.ts';

type BridgeFunction = (request: unknown) => Promise<unknown>;

declare global {
  interface Window {
    /** Set by the desktop preload: exactly the API table's functions. */
    denseray?: Readonly<Record<string, BridgeFunction>>;
    /** Set by the desktop preload: subscription to back-end events. */
    denserayEvents?: { subscribe(listener: (event: unknown) => void): () => void };
  }
}

/** A coded failure from the back end (or the transport), ready for a readable message. */
export class ApiError extends Error {
  constructor(readonly info: ErrorInfo) {
    super(info.message);
  }
}

const Reply = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), value: z.unknown() }),
  z.object({ ok: z.literal(false), error: ErrorInfo }),
]);

export const isDesktop = (): boolean => window.denseray !== undefined;

/** Which API functions this build offers (other areas add theirs to the table). */
export function hasMethod(name: string): name is ApiMethod {
  return Object.hasOwn(api, name);
}

async function overHttp(method: ApiMethod, request: unknown): Promise<unknown> {
  let response: Response;
  try {
    // The token travels as an HttpOnly cookie set when the printed URL was opened.
    response = await fetch(`./api/call/${method}`, {
      method: 'POST',
      headers: { 'Content-Type': WIRE_CONTENT_TYPE },
      body: encodeEnvelope(request) as BodyInit,
      credentials: 'same-origin',
    });
  } catch {
    throw new ApiError({ code: 'INTERNAL', message: 'the DenseRay server is not reachable; is `denseray serve` still running?' });
  }
  const bytes = new Uint8Array(await response.arrayBuffer());
  if (response.headers.get('Content-Type') === WIRE_CONTENT_TYPE) return decodeEnvelope(bytes);
  try {
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    return { ok: false, error: { code: 'INTERNAL', message: `the server answered HTTP ${response.status}` } };
  }
}

/** Calls one API function; resolves with its parsed response or throws ApiError. */
export async function call<M extends ApiMethod>(method: M, request: ApiRequest<M>): Promise<ApiResponse<M>> {
  const bridge = window.denseray;
  const raw = bridge ? await bridge[method]!(request) : await overHttp(method, request);
  const reply = Reply.safeParse(raw);
  if (!reply.success) throw new ApiError({ code: 'INTERNAL', message: `${method}: malformed reply from the back end` });
  if (!reply.data.ok) throw new ApiError(reply.data.error);
  const value = api[method].response.safeParse(reply.data.value);
  if (!value.success) throw new ApiError({ code: 'INTERNAL', message: `${method}: reply does not match the contract` });
  return value.data as ApiResponse<M>;
}

type Listener = (event: ApiEvent) => void;
const listeners = new Set<Listener>();
let connected = false;

function connect(): void {
  if (connected) return;
  connected = true;
  const dispatch = (raw: unknown): void => {
    const event = ApiEvent.safeParse(raw);
    if (event.success) for (const listener of listeners) listener(event.data);
  };
  if (window.denserayEvents) {
    window.denserayEvents.subscribe(dispatch);
    return;
  }
  const source = new EventSource('./api/events', { withCredentials: true });
  source.onmessage = (message) => {
    try {
      dispatch(JSON.parse(message.data as string));
    } catch {
      // a line that is not JSON is not ours
    }
  };
}

/** Subscribes to one event channel; payloads are parsed with the contract. Returns the unsubscribe. */
export function onEvent<C extends UiEventChannel>(channel: C, listener: (payload: UiEventPayload<C>) => void): () => void {
  connect();
  const wrapped: Listener = (event) => {
    if (event.channel !== channel) return;
    const payload = UiEvents[channel].safeParse(event.payload);
    if (payload.success) listener(payload.data as UiEventPayload<C>);
  };
  listeners.add(wrapped);
  return () => listeners.delete(wrapped);
}

let nextOp = 0;
/** A fresh operation id for progress events and cancel. */
export function newOpId(prefix: string): string {
  nextOp += 1;
  return `${prefix}-${Date.now().toString(36)}-${nextOp}`;
}
