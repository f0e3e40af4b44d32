import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Needs root and a Slurm cluster: npm run test:slurm (vitest.slurm.config.ts).
    exclude: ['test/slurm/**', 'node_modules/**'],
    // Integration tests start real app-servers; give them room on a 2-core machine.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
