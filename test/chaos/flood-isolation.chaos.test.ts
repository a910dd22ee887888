import { expect, inject, test } from 'vitest';
import { expectNothingLost } from './lib/expect-ledger.js';
import { recordRow } from './lib/report.js';
import { scaled } from './lib/scale.js';
import { runFloodIsolation } from './scenarios/flood-isolation.js';

test('6 flood isolation: one device floods, the limiter stores only its allowance, the others’ SOS PUBACK p99 stays within 2× of quiet', async () => {
  const row = await runFloodIsolation({ sosDevices: scaled(50, 10), sosRatePerS: 40, phaseS: scaled(15, 5), rateMax: 20, burst: 100 }, (m) => process.stdout.write(`  ${m}\n`));
  await recordRow(inject('chaosRowsFile'), row);
  expectNothingLost(row);
  expect(row.limited).toBeGreaterThan(0);
  expect(row.floodStored).toBeLessThanOrEqual(row.floodAllowance);
  expect(row.floodP99).toBeLessThanOrEqual(2 * row.quietP99);
}, 300_000);
