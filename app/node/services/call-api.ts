import { api, type ApiMethod } from '../../common/contract/api.ts';
import type { ErrorInfo, Result } from '../../common/errors.ts';
import { toErrorInfo } from '../shared/errors.ts';
import type { Handlers } from './services.ts';

/**
 * What a transport does with one call: `rejected` when the call never reached a handler (unknown
 * function, payload that fails the contract), `handled` otherwise, success or coded failure.
 * Transports map the two differently (HTTP 400 vs 200); both carry the same `Result`.
 */
export type ApiOutcome = { status: 'rejected' | 'handled'; result: Result<unknown> };

export function isApiMethod(name: string): name is ApiMethod {
  return Object.hasOwn(api, name);
}

const reject = (error: ErrorInfo): ApiOutcome => ({ status: 'rejected', result: { ok: false, error } });

/**
 * The one door from a transport to the handlers: parse the request with the contract, run the
 * handler, check the response against the contract too (a back-end bug must not reach the UI as
 * a malformed value), and turn anything thrown into coded error data — never a stack trace.
 */
export async function callApi(handlers: Partial<Handlers>, method: string, payload: unknown): Promise<ApiOutcome> {
  // Partial: the jobs process serves only the jobs and finetune areas through this same door.
  if (!isApiMethod(method) || !handlers[method])
    return reject({ code: 'INVALID_ARGUMENT', message: `no API function "${method.slice(0, 80)}"` });
  const entry = api[method];
  const request = entry.request.safeParse(payload);
  if (!request.success) {
    const issues = request.error.issues.slice(0, 5).map((i) => `${i.path.join('.') || '(request)'}: ${i.message}`);
    return reject({ code: 'INVALID_ARGUMENT', message: `${method}: ${issues.join('; ')}` });
  }
  const handler = handlers[method] as (request: unknown) => Promise<unknown>;
  try {
    const value = await handler(request.data);
    const response = entry.response.safeParse(value);
    if (!response.success) {
      return {
        status: 'handled',
        result: { ok: false, error: { code: 'INTERNAL', message: `${method} produced a response that does not match the contract` } },
      };
    }
    return { status: 'handled', result: { ok: true, value: response.data } };
  } catch (error) {
    const info = toErrorInfo(error);
    return { status: 'handled', result: { ok: false, error: info.details ? info : { code: info.code, message: info.message } } };
  }
}
