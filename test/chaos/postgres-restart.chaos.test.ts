import { expect, inject, test } from 'vitest';
import { expectNothingLost } from './lib/expect-ledger.js';
import { recordRow } from './lib/report.js';
import { scaled } from './lib/scale.js';
import { runPostgresRestart } from './scenarios/postgres-restart.js';

test('3 PostgreSQL restart during ingest: no PUBACK without commit, retries fill the gap, the service recovers alone, /readyz truthful', async () => {
  const row = await runPostgresRestart({ devices: scaled(200, 10), events: scaled(4000, 200), ratePerS: scaled(200, 20), downMs: 5000 }, (m) => process.stdout.write(`  ${m}\n`));
  await recordRow(inject('chaosRowsFile'), row);
  expectNothingLost(row);
  expect(row.routed).toBe(row.alerts);
  expect(row.samePid).toBe(true);
  expect(row.readyz503).toBeGreaterThan(0);
  expect(row.readyzLies).toBe(0);
  expect(row.readyAfter).toBe(true);
}, 300_000);
