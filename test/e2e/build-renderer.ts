export { buildRendererIfNeeded } from '../../app/node/server/renderer-build.ts';
