#!/usr/bin/env node
// Builds what Electron runs: main/ + the worker processes (tsc → dist/electron), the preload
// (vite → dist/electron/main/preload.cjs), the renderer (vite → dist/renderer), and the shipped
// input-guard statistics beside the emitted engine (it finds them relative to its own file).
import { execFileSync } from 'node:child_process';
import { cpSync, rmSync } from 'node:fs';

const run = (args) => execFileSync(process.execPath, args, { stdio: 'inherit' });
rmSync('dist/electron', { recursive: true, force: true });
run(['node_modules/typescript/bin/tsc', '-p', 'main/tsconfig.build.json']);
run(['node_modules/vite/bin/vite.js', 'build', '--config', 'main/vite.preload.config.ts', '--logLevel', 'warn']);
run(['node_modules/vite/bin/vite.js', 'build', '--logLevel', 'warn']);
cpSync('models/guard', 'dist/electron/models/guard', { recursive: true });
console.log('built dist/electron (main, preload, workers) and dist/renderer');
