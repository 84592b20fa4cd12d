import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // builds the sample once for the whole suite and unpacks the test browser (see the file)
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 240_000,
    hookTimeout: 240_000,
    pool: 'forks',
    // vitest leaves one of two cores idle by default; most files wait on CLI child processes, so two
    // at a time measured 416 s against 504 s for the suite on this 2-core machine (all passing)
    maxWorkers: 2,
  },
});
