import fs from 'node:fs';
import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * Files that call `sampleBuild(` wait for the suite's sample build (test/global-setup.ts starts it
 * in the background): they run after the others, which run meanwhile. Otherwise vitest's order.
 */
class SampleLast extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const needs = (f: TestSpecification) => fs.readFileSync(f.moduleId, 'utf8').includes('sampleBuild(');
    return [...sorted.filter((f) => !needs(f)), ...sorted.filter(needs)];
  }
}

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // builds the sample once for the whole suite (in the background) and unpacks the test browser (see the file)
    globalSetup: ['test/global-setup.ts'],
    // removes each file's temp folders after it (test/helpers.ts tmpDir)
    setupFiles: ['test/setup-tmp.ts'],
    sequence: { sequencer: SampleLast },
    testTimeout: 240_000,
    hookTimeout: 240_000,
    pool: 'forks',
    // vitest leaves one of two cores idle by default; most files wait on CLI child processes, so two
    // at a time measured 416 s against 504 s for the suite on this 2-core machine (all passing)
    maxWorkers: 2,
  },
});
