import { expect } from 'vitest';
import type { ChaosRow } from './report.js';

/** Issue 7's acceptance for a ledger scenario: every event PUBACKed and stored, none lost, none twice. */
export function expectNothingLost(row: Pick<ChaosRow, 'sent' | 'pubacked' | 'stored' | 'lost' | 'duplicates'>): void {
  expect(row.pubacked).toBe(row.sent);
  expect(row.stored).toBe(row.sent);
  expect(row.lost).toBe(0);
  expect(row.duplicates).toBe(0);
}
