import { describe, expect, it } from 'vitest';
import { groupBoard, tileStatus } from '../lib/board';
import { dayKpis } from '../lib/kpi';
import { alert, household, T0 } from './fixtures';

describe('household tiles', () => {
  it('picks the most urgent status', () => {
    const base = { devicesOnline: 4, devicesTotal: 4, alertKinds: [] as never[] };
    expect(tileStatus(base)).toBe('normal');
    expect(tileStatus({ ...base, devicesOnline: 3 })).toBe('offline');
    expect(tileStatus({ ...base, alertKinds: ['inactivity'] })).toBe('inactive');
    expect(tileStatus({ ...base, devicesOnline: 0 })).toBe('unmonitored');
    expect(tileStatus({ ...base, devicesTotal: 0, devicesOnline: 0 })).toBe('unmonitored');
    expect(tileStatus({ ...base, alertKinds: ['inactivity', 'fall'] })).toBe('alert');
  });

  it('uses the KPI\'s facts: a low battery is not "offline", offline is a device not reporting (issue 20 item 4)', () => {
    const base = { devicesOnline: 4, devicesTotal: 4, alertKinds: [] as never[] };
    expect(tileStatus({ ...base, alertKinds: ['battery_low'] })).toBe('battery');
    // A device_offline alert whose device reports again is a maintenance item, not an offline home.
    expect(tileStatus({ ...base, alertKinds: ['device_offline'] })).toBe('normal');
    expect(tileStatus({ ...base, devicesOnline: 3, alertKinds: ['battery_low'] })).toBe('offline');
  });

  it('groups grid → building in natural order', () => {
    const g = groupBoard([
      household('a', { gridId: 'g10', gridName: '第10网格', buildingId: 'x', buildingName: '10栋' }),
      household('b', { gridId: 'g2', gridName: '第2网格', buildingId: 'y', buildingName: '2栋' }),
      household('c', { gridId: 'g2', gridName: '第2网格', buildingId: 'z', buildingName: '1栋' }),
    ]);
    expect(g.map((x) => x.name)).toEqual(['第2网格', '第10网格']);
    expect(g[0]!.buildings.map((b) => b.name)).toEqual(['1栋', '2栋']);
  });

  it('renders 5,000 tiles worth of grouping quickly', () => {
    const many = Array.from({ length: 5000 }, (_, i) => household(`h${i}`, { gridId: `g${i % 8}`, gridName: `第${i % 8}网格`, buildingId: `b${i % 120}`, buildingName: `${i % 120}栋`, unit: `${i}室` }));
    const t = performance.now();
    const g = groupBoard(many);
    expect(g.reduce((n, x) => n + x.count, 0)).toBe(5000);
    expect(performance.now() - t).toBeLessThan(500);
  });
});

describe('today KPIs', () => {
  it('median time to accept and % on site within 15 min of the day', () => {
    const iso = (s: number) => new Date(T0 + s * 1000).toISOString();
    const k = dayKpis([
      alert({ id: '1', state: 'resolved', acceptedAt: iso(60), onSiteAt: iso(600), closedAt: iso(900) }),
      alert({ id: '2', state: 'on_site', acceptedAt: iso(180), onSiteAt: iso(1000) }),
      alert({ id: '3', state: 'notified' }),
      alert({ id: '4', state: 'cancelled', closedAt: iso(30) }),
    ], T0 - 3_600_000, T0 + 300_000, 900);
    expect(k.open).toBe(2);
    expect(k.medianAcceptS).toBe(120);
    expect(k.onSiteWithinSlaRate).toBe(0.5);
  });
});
