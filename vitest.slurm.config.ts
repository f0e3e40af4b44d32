import { defineConfig } from 'vitest/config';

// `npm run test:slurm`: cas on a real Slurm cluster (started on this machine if none answers).
// Needs root and the slurm-wlm and munge packages; not part of `npm test`.
export default defineConfig({
  test: {
    include: ['test/slurm/**/*.test.ts'],
    testTimeout: 600_000,
    hookTimeout: 120_000,
    pool: 'forks',
    globalSetup: ['test/setup/compile-cache-dir.ts'],
  },
});
