import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Integration suites start real servers (sandbox, Tryton, databases); keep the
    // 2-core machine from being oversubscribed.
    pool: 'forks',
    maxWorkers: 2,
  },
});
