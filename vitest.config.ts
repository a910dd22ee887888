import { configDefaults, defineConfig } from 'vitest/config';

// Projects of DESIGN §10: unit (pure, fast), console (components in jsdom), integration (real
// PostgreSQL, redis-server, broker), the bench's smoke run, e2e (Chromium against the real
// all-in-one service).
const BENCH_SMOKE = 'test/integration/bench-quick.test.ts';
export default defineConfig({
  test: {
    projects: [
      { test: { name: 'unit', include: ['test/unit/**/*.test.ts'], environment: 'node', sequence: { groupOrder: 0 } } },
      'console/vitest.config.ts',
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          exclude: [...configDefaults.exclude, BENCH_SMOKE],
          environment: 'node',
          globalSetup: ['test/helpers/global-setup.ts'],
          setupFiles: ['test/helpers/redis-namespace-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          // 2 cores: two files at a time, each with its own database. vitest 4 runs projects
          // with different maxWorkers in separate groups: unit first, then integration.
          maxWorkers: 2,
          sequence: { groupOrder: 1 },
        },
      },
      {
        test: {
          // `bench --quick` starts a dozen processes of its own (PostgreSQL, brokers, load
          // generators): alone, after the integration group, so neither slows the other down.
          name: 'bench',
          include: [BENCH_SMOKE],
          environment: 'node',
          maxWorkers: 1,
          sequence: { groupOrder: 2 },
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['test/helpers/global-setup.ts'],
          setupFiles: ['test/helpers/redis-namespace-setup.ts'],
          // A browser launch and a service start on a loaded 2-core machine take their time; the
          // "within 2 s" checks are measured inside the tests, not by these timeouts.
          testTimeout: 90_000,
          hookTimeout: 180_000,
          // One Chromium at a time, last.
          maxWorkers: 1,
          sequence: { groupOrder: 3 },
        },
      },
    ],
  },
});
