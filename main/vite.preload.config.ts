import { defineConfig } from 'vite';

// The preload as one CommonJS file (sandboxed preloads can only require('electron')), beside main.js.
export default defineConfig({
  build: {
    lib: { entry: 'main/preload.ts', formats: ['cjs'], fileName: () => 'preload.cjs' },
    outDir: 'dist/electron/main',
    emptyOutDir: false,
    target: 'chrome130',
    minify: false,
    rollupOptions: { external: ['electron'] },
  },
});
