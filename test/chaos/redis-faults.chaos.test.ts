import { expect, inject, test } from 'vitest';
import { expectNothingLost } from './lib/expect-ledger.js';
import { recordRow } from './lib/report.js';
import { scaled } from './lib/scale.js';
import { runRedisFaults } from './scenarios/redis-faults.js';

test('2 Redis: SIGKILL with 1,000 armed timers (each fires once), FLUSHALL (the reconciler re-arms all), SOS accepted meanwhile', async () => {
  const row = await runRedisFaults({ timers: scaled(1000, 50), ackTimeoutS: 25, sosDevices: scaled(50, 5), sosRatePerS: scaled(20, 5) }, (m) => process.stdout.write(`  ${m}\n`));
  await recordRow(inject('chaosRowsFile'), row);
  expect(row.level1Once).toBe(row.alerts);
  expect(row.level2Once).toBe(row.alerts);
  expectNothingLost(row);
}, 400_000);
