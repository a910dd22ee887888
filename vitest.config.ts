import { defineConfig } from 'vitest/config';

// Projects of DESIGN §10: unit (pure, fast), console (components in jsdom), integration (real
// PostgreSQL, redis-server, broker).
export default defineConfig({
  test: {
    projects: [
      { test: { name: 'unit', include: ['test/unit/**/*.test.ts'], environment: 'node', sequence: { groupOrder: 0 } } },
      'console/vitest.config.ts',
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['test/helpers/global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          // 2 cores: two files at a time, each with its own database. vitest 4 runs projects
          // with different maxWorkers in separate groups: unit first, then integration.
          maxWorkers: 2,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
