import { describe, expect, it } from 'vitest';
import type { ProductAlert } from '../../simulators/day/day-kpis.js';
import type { PlannedIncident } from '../../simulators/day/incident-plan.js';
import { Ledger } from '../../simulators/day/ledger.js';
import { passiveKpis } from '../../simulators/day/passive-kpis.js';

/** The silent-episode measures of `simulate day` (issue 19), from a hand-made ledger. */
const H = 3_600_000, M = 60_000;
const T0 = Date.UTC(2027, 0, 5, 0, 0); // 08:00 in Shanghai
const TZ = 'Asia/Shanghai';

function incident(id: string, householdId: string, at: number, kind: PlannedIncident['kind'] = 'fall_no_radar'): PlannedIncident {
  return { id, householdId, kind, room: '客厅', at, canPress: false };
}
function alert(id: string, householdId: string, at: number, kind = 'inactivity'): ProductAlert {
  return { id, householdId, kind, severity: 'high', state: 'resolved', firstSignalAt: at, acceptedAt: null, acceptedBy: null, onSiteAt: null, closedAt: null, shift: 'day' };
}

describe('passive KPIs', () => {
  it('detected, missed and open episodes; delays split by where the last sign of life was; false alerts and check-ins outside incidents', () => {
    const ledger = new Ledger([
      incident('a', 'h1', T0 + 2 * H), // living room by day: found after 25 min
      incident('b', 'h2', T0 + 3 * H), // bedroom: found after 50 min
      incident('c', 'h3', T0 + 4 * H), // never found, long before the end: missed
      incident('d', 'h4', T0 + 47 * H), // never found, an hour before the end: open
      incident('e', 'h5', T0 + 5 * H, 'sos_pressed'), // not silent: not an episode
    ]);
    const [a, b] = ledger.incidents;
    a!.lastSignOfLifeAt = T0 + 2 * H - 10 * M; a!.lastSignOfLifeRoom = '客厅'; a!.overAt = T0 + 3 * H;
    b!.lastSignOfLifeAt = T0 + 3 * H - 10 * M; b!.lastSignOfLifeRoom = '卧室'; b!.overAt = T0 + 4 * H;
    const alerts = [
      alert('x1', 'h1', T0 + 2 * H + 25 * M), alert('x2', 'h2', T0 + 3 * H + 50 * M),
      alert('x3', 'h9', T0 + 10 * H), // nobody down in h9: a false inactivity alert
      alert('x4', 'h9', T0 + 11 * H, 'device_offline'), // maintenance: neither
    ];
    const checkIns = [{ householdId: 'h1', at: T0 + 2 * H + 20 * M }, { householdId: 'h8', at: T0 + 6 * H }];
    const k = passiveKpis({ alerts, ledger, checkIns, window: { start: T0, end: T0 + 48 * H }, homes: 10, tz: TZ, dayShift: '08:00-20:00' });
    expect(k).toMatchObject({ episodes: 4, detected: 2, missed: 1, open: 1, detectedPct: 66.7, homeDays: 20, falseAlerts: 1, falseAlertsPerHomeDay: 0.05, checkIns: 1, checkInsPerHomeDay: 0.05, checkInsDuringEpisodes: 1 });
    expect(k.dayRooms).toEqual({ n: 1, medianMin: 25, p90Min: 25 });
    expect(k.otherwise).toEqual({ n: 1, medianMin: 50, p90Min: 50 });
  });
});
