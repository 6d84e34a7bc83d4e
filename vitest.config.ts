import { defineConfig } from 'vitest/config';

// Two projects: the pure core runs without any infrastructure; the integration
// project starts one embedded local environment per test run (global setup),
// shared by every integration test file.
export default defineConfig({
  test: {
    reporters: ['default'],
    projects: [
      {
        test: {
          name: 'unit',
          include: ['src/**/*.test.ts', 'test/unit/**/*.test.ts'],
        },
      },
      {
        test: {
          name: 'integration',
          // The differential scenarios (Gradual beside the real Argo Rollouts) share the same environment.
          include: ['test/integration/**/*.test.ts', 'test/differential/**/*.test.ts'],
          globalSetup: ['test/integration/global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 300_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
