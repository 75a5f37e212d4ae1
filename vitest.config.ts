import { defineConfig } from 'vitest/config';

// Two levels, named by file suffix (README "Tests"):
// unit = no IO; int = the real Postgres, Kafka and Temporal of the local stack.
export default defineConfig({
  test: {
    reporters: ['default', './test/summary-reporter.ts'],
    projects: [
      {
        test: {
          name: 'unit',
          include: ['{packages,services,orchestrators,benchmarks}/**/*.unit.test.ts', 'test/**/*.unit.test.ts'],
        },
      },
      {
        test: {
          name: 'int',
          include: [
            '{packages,services,orchestrators,benchmarks}/**/*.{int,e2e}.test.ts',
            'test/**/*.{int,e2e}.test.ts',
          ],
          testTimeout: 120_000,
          hookTimeout: 120_000,
          // Int tests share one broker and one Postgres server: keep load predictable on 2 cores.
          fileParallelism: false,
          // Deletes the scratch topics the run created (left behind, they slow every broker start).
          globalSetup: ['./test/kafka-topics.global.ts'],
        },
      },
    ],
  },
});
