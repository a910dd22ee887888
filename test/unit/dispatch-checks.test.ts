import { expect, test } from 'vitest';
import { dispatchChecks, type CheckAlert } from '../../simulators/day/dispatch-checks.js';
import { Ledger } from '../../simulators/day/ledger.js';

const M = 60_000;
const alert = (id: string, householdId: string, at: number, o: Partial<CheckAlert> = {}): CheckAlert => ({
  id, householdId, severity: 'critical', state: 'resolved', gridId: 'g1', firstSignalAt: at, onSiteAt: null, onSiteBy: null, closedAt: at + 30 * M, night: true, ...o,
});

test('one person at two doors at once is found in the truth and in the product; one after the other is not', () => {
  const ledger = new Ledger([]);
  ledger.arrived({ alertId: 'a1', householdId: 'h1', responderId: 'r1', at: 5 * M, pressedAt: 5 * M });
  ledger.left({ alertId: 'a1', responderId: 'r1', at: 20 * M });
  ledger.arrived({ alertId: 'a2', householdId: 'h2', responderId: 'r1', at: 25 * M, pressedAt: 25 * M });
  ledger.arrived({ alertId: 'a3', householdId: 'h3', responderId: 'r2', at: 5 * M, pressedAt: 5 * M });
  ledger.arrived({ alertId: 'a4', householdId: 'h4', responderId: 'r2', at: 6 * M, pressedAt: 6 * M });
  const alerts = [
    alert('a1', 'h1', 0, { onSiteAt: 5 * M, onSiteBy: 'r1', closedAt: 20 * M }),
    alert('a2', 'h2', 22 * M, { onSiteAt: 25 * M, onSiteBy: 'r1', gridId: 'g2' }),
    alert('a3', 'h3', 0, { onSiteAt: 5 * M, onSiteBy: 'r2', gridId: 'g3' }),
    alert('a4', 'h4', 0, { onSiteAt: 6 * M, onSiteBy: 'r2', gridId: 'g4' }),
  ];
  const c = dispatchChecks(alerts, ledger, 100 * M);
  expect(c.twoHomes.truth).toHaveLength(1);
  expect(c.twoHomes.truth[0]).toContain('r2');
  expect(c.twoHomes.product).toHaveLength(1);
});

test('night pairs in one grid: served by two people, by one, unreached and cancelled ones', () => {
  const ledger = new Ledger([]);
  ledger.arrived({ alertId: 'p1', householdId: 'h1', responderId: 'r1', at: 5 * M, pressedAt: 5 * M });
  ledger.arrived({ alertId: 'p2', householdId: 'h2', responderId: 'r2', at: 6 * M, pressedAt: 6 * M });
  ledger.arrived({ alertId: 'q1', householdId: 'h3', responderId: 'r3', at: 65 * M, pressedAt: 65 * M });
  ledger.arrived({ alertId: 'q2', householdId: 'h4', responderId: 'r3', at: 95 * M, pressedAt: 95 * M });
  const alerts = [
    alert('p1', 'h1', 0), alert('p2', 'h2', 1 * M),
    alert('q1', 'h3', 60 * M), alert('q2', 'h4', 61 * M),
    alert('x1', 'h5', 120 * M), alert('x2', 'h6', 121 * M, { state: 'cancelled' }),
    alert('day', 'h7', 121 * M, { night: false }),
  ];
  const c = dispatchChecks(alerts, ledger, 300 * M);
  expect(c.nightPairs).toMatchObject({ pairs: 2, reached: 2, servedByTwo: 1 });
  expect(c.nightPairs.failures[0]).toContain('r3');
});
