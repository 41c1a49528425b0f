import { defineConfig } from 'vitest/config';

/**
 * Vitest config used only by StrykerJS (`npm run mutation`, see stryker.config.mjs).
 * It runs the reference client's own tests: the unit tests and the simulator integration test
 * (memory transport and real loopback sockets). The Chromium browser test is left out: Stryker
 * runs every mutant in Node, and a browser per mutant would not fit a 2-core machine.
 */
export default defineConfig({
  test: {
    include: ['test/unit/reference-client/**/*.test.ts', 'test/integration/reference-client-sim.test.ts'],
    exclude: ['test/browser/**', 'node_modules/**'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
