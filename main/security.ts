import { app, session } from 'electron';
import { CONTENT_SECURITY_POLICY } from '../app/common/content-security-policy.ts';

/** Only our own files (and in-page blob:/data: images) may load; DenseRay makes no network calls at all. */
function isLocal(url: string): boolean {
  return url.startsWith('file://') || url.startsWith('blob:') || url.startsWith('data:') || url.startsWith('devtools://');
}

/**
 * The Electron security checklist, applied to every web contents: no navigation away from our
 * page, no new windows, no webviews, no permissions, no remote requests, a CSP header on top of
 * the page's meta CSP.
 */
export function hardenApp(pageUrl: string): void {
  app.on('web-contents-created', (_event, contents) => {
    contents.on('will-navigate', (event, url) => {
      if (url.split('#')[0] !== pageUrl) event.preventDefault();
    });
    contents.on('will-redirect', (event) => event.preventDefault());
    contents.on('will-attach-webview', (event) => event.preventDefault());
    contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  });
  const ses = session.defaultSession;
  ses.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  ses.setPermissionCheckHandler(() => false);
  ses.webRequest.onBeforeRequest((details, callback) => callback({ cancel: !isLocal(details.url) }));
  ses.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] } });
  });
}
