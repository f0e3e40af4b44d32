import { defineConfig } from 'vitest/config';

/**
 * `npm test` runs test/unit and test/integration: the real app-server, nothing else to install.
 * Suites that need a component from the system (a browser, a cluster engine) have their own
 * directories and npm scripts (CAS_SUITE=browser, ...), which CI also runs.
 */
const suite = process.env.CAS_SUITE;

export default defineConfig({
  test: {
    include: suite === undefined ? ['test/unit/**/*.test.ts', 'test/integration/**/*.test.ts'] : [`test/${suite}/**/*.test.ts`],
    // Integration tests start real app-servers; give them room on a 2-core machine.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // A fresh TMPDIR for the run and for each file; anything left in it fails the run.
    globalSetup: ['test/setup/suite-tmpdir.ts', 'test/setup/compile-cache-dir.ts'],
    setupFiles: ['test/setup/file-tmpdir.ts'],
  },
});
