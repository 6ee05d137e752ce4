import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['app/**/*.test.ts', 'main/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Inference tests are CPU-heavy; two cores run two files at a time without starving each other.
    maxWorkers: 2,
    pool: 'forks',
  },
});
