// @ts-check
/**
 * StrykerJS mutation testing of the reference client (issue 5).
 *
 * Manual / nightly job only: `npm run mutation`. It is not part of `npm test` or CI (a full run
 * takes tens of minutes on a 2-core machine). Reports go to reports/mutation/ (git-ignored).
 *
 * @type {import('@stryker-mutator/api/core').PartialStrykerOptions}
 */
export default {
  packageManager: 'npm',
  testRunner: 'vitest',
  vitest: {
    configFile: 'vitest.stryker.config.ts',
  },
  plugins: ['@stryker-mutator/vitest-runner'],
  mutate: [
    'src/reference-client/**/*.ts',
    // Process I/O (Node sockets, stdin/stdout driver): exercised by the driver and network tests, not unit-testable per mutant.
    '!src/reference-client/node.ts',
    '!src/reference-client/driver.ts',
    // Planted bugs for the harness's own mutation-strength tests (issue 5), not production code.
    '!src/reference-client/mutants.ts',
  ],
  coverageAnalysis: 'perTest',
  concurrency: 2,
  // 2-core machine: a mutant gets the baseline test time x 1.5 plus 10 s before it counts as a timeout.
  timeoutFactor: 1.5,
  timeoutMS: 10_000,
  dryRunTimeoutMinutes: 5,
  incremental: false,
  reporters: ['clear-text', 'progress', 'json', 'html'],
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  htmlReporter: { fileName: 'reports/mutation/mutation.html' },
  clearTextReporter: { allowColor: false, logTests: false, maxTestsToLog: 0 },
  thresholds: { high: 80, low: 70, break: null },
  // Sandboxes live under tmp/ (git-ignored) and are removed after the run.
  tempDirName: 'tmp/stryker',
  ignorePatterns: ['tmp', 'reports', 'bench', '.tools', '*.log'],
  cleanTempDir: true,
};
