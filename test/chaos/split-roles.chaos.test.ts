import { expect, inject, test } from 'vitest';
import { expectNothingLost } from './lib/expect-ledger.js';
import { recordRow } from './lib/report.js';
import { scaled } from './lib/scale.js';
import { runSplitRoles } from './scenarios/split-roles.js';

test('4 split roles: a gateway killed — its devices move with their sessions; a dispatcher killed — the other carries on; every alert handled once', async () => {
  const row = await runSplitRoles({ devices: scaled(200, 20), events: scaled(2000, 200), ratePerS: scaled(100, 20), ackTimeoutS: 10 }, (m) => process.stdout.write(`  ${m}\n`));
  await recordRow(inject('chaosRowsFile'), row);
  expectNothingLost(row);
  expect(row.moved).toBeGreaterThan(0);
  expect(row.movedWithSession).toBe(row.moved);
  expect(row.routed).toBe(row.alerts);
  expect(row.escalated).toBe(row.alerts);
  expect(row.apiTotal).toBe(row.alerts);
}, 400_000);
