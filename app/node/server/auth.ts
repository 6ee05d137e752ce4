import type { IncomingMessage } from 'node:http';
import { tokensEqual } from './token.ts';

export const TOKEN_COOKIE = 'denseray_token';

function cookie(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return rest.join('=');
  }
  return undefined;
}

function bearer(req: IncomingMessage): string | undefined {
  const header = req.headers.authorization;
  return header?.startsWith('Bearer ') ? header.slice(7) : undefined;
}

/**
 * Every request must carry the launch token: as `Authorization: Bearer`, or as the cookie the
 * server sets when the printed URL (?token=…) is first opened. The cookie is HttpOnly and
 * SameSite=Strict, so other sites' pages cannot use it and page scripts never see the token.
 */
export function hasToken(req: IncomingMessage, token: string): boolean {
  return tokensEqual(token, bearer(req)) || tokensEqual(token, cookie(req, TOKEN_COOKIE));
}

/**
 * Only our own origin may talk to us: the Host header must name the loopback address we listen
 * on. This defeats DNS rebinding (a hostile name resolving to 127.0.0.1 carries its own Host).
 */
export function hostAllowed(req: IncomingMessage, port: number): boolean {
  const host = req.headers.host;
  return host === `127.0.0.1:${port}` || host === `localhost:${port}`;
}

export function tokenCookie(token: string): string {
  return `${TOKEN_COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/`;
}

/**
 * A browser names the page that sent a request in `Origin`. Only our own page may call us, even
 * with the token: a request from any other origin (or the opaque `null` of a sandboxed frame or a
 * file:// page) is refused. Requests without the header come from non-browser clients.
 */
export function originAllowed(req: IncomingMessage, port: number): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return true;
  return origin === `http://127.0.0.1:${port}` || origin === `http://localhost:${port}`;
}
