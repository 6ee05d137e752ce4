#!/usr/bin/env node
// The README's screenshots, from the reading-room e2e's (test-results/e2e/<screen>-<size>.png):
// 960 px wide WebP, small enough to commit. Run after `npx vitest run test/e2e/reading-room.test.ts`.
import sharp from 'sharp';

for (const name of ['compare-1600x1000', 'measure-1600x1000', 'worklist-1366x768']) {
  const info = await sharp(`test-results/e2e/${name}.png`)
    .resize({ width: 960 })
    .webp({ quality: 65 })
    .toFile(`renderer/docs/${name}.webp`);
  console.log(`renderer/docs/${name}.webp ${(info.size / 1024).toFixed(0)} KiB`);
}
