import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The renderer: built to dist/renderer with relative asset paths, so the same files load from
// file:// in Electron and from http://127.0.0.1 in browser mode (denseray serve).
export default defineConfig({
  root: 'renderer',
  base: './',
  plugins: [react()],
  build: {
    outDir: '../dist/renderer',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    // No inline scripts or data: modules, so the strict CSP (script-src 'self') holds.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    // One local bundle loaded from disk or loopback: size matters little, a single file keeps CSP simple.
    chunkSizeWarningLimit: 2000,
  },
});
