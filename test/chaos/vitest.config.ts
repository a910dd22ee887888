import { defineConfig } from 'vitest/config';

// `npm run chaos` (issue 7 items 1-6): one scenario at a time — each starts its own PostgreSQL,
// redis-server and service processes and injects real faults, so they must not overlap on 2 cores.
export default defineConfig({
  test: {
    name: 'chaos',
    root: new URL('../..', import.meta.url).pathname,
    include: ['test/chaos/*.chaos.test.ts'],
    environment: 'node',
    globalSetup: ['test/chaos/global-setup.ts'],
    fileParallelism: false,
    maxWorkers: 1,
    testTimeout: 240_000,
    hookTimeout: 120_000,
    sequence: { shuffle: false },
  },
});
