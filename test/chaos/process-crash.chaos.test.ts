import { expect, inject, test } from 'vitest';
import { expectNothingLost } from './lib/expect-ledger.js';
import { recordRow } from './lib/report.js';
import { scaled } from './lib/scale.js';
import { runProcessCrash } from './scenarios/process-crash.js';

test('1 process crash: 500 devices, 5,000 SOS, the service SIGKILLed twice — nothing lost, nothing twice, every alert routed and escalating', async () => {
  const row = await runProcessCrash({ devices: scaled(500, 10), events: scaled(5000, 100), ratePerS: scaled(200, 20), kills: 2, ackTimeoutS: 20 }, (m) => process.stdout.write(`  ${m}\n`));
  await recordRow(inject('chaosRowsFile'), row);
  expectNothingLost(row);
  expect(row.routed).toBe(row.alerts);
  expect(row.escalated).toBe(row.alerts);
  expect(row.alerts).toBe(scaled(500, 10));
}, 300_000);
