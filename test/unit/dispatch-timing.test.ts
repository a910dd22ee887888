import { describe, expect, test } from 'vitest';
import { dispatchTiming } from '../../domain/dispatch-timing.js';
import { planActivityHistory } from '../../store/demo-seed/demo-history.js';
import { planDemoCommunity, planHousehold, shiftHours } from '../../store/demo-seed/demo-plan.js';

const config = { ACK_TIMEOUT_S: 60, SLA_WARN_S: 120, SLA_ONSITE_S: 240, DAY_SHIFT: '07:00-19:00', GUARDIAN_TZ: 'Asia/Shanghai' };

describe('dispatch timing (issue 20 item 1): what the screens count with', () => {
  test.each([
    ['2026-12-06T10:00:00+08:00', 'day', '2026-12-06', '2026-12-06T19:00:00+08:00'],
    ['2026-12-06T19:00:00+08:00', 'night', '2026-12-06', '2026-12-07T07:00:00+08:00'],
    ['2026-12-07T03:30:00+08:00', 'night', '2026-12-06', '2026-12-07T07:00:00+08:00'],
  ])('at %s it is the %s shift of %s, ending %s', (at, name, date, ends) => {
    const t = dispatchTiming(config, new Date(at));
    expect(t).toMatchObject({ ackTimeoutS: 60, slaWarnS: 120, slaOnsiteS: 240, dayShift: '07:00-19:00', tz: 'Asia/Shanghai', shift: { name, date } });
    expect(t.shift.endsAt).toBe(new Date(ends).toISOString());
  });
});

describe('demo rosters follow DAY_SHIFT (issue 20 item 11)', () => {
  test('day and night hours meet at the DAY_SHIFT changes, whatever they are', () => {
    expect(shiftHours('08:00-20:00')).toEqual({ day: { starts: '08:00', ends: '20:00' }, night: { starts: '20:00', ends: '08:00' } });
    expect(shiftHours('7:30-19:30')).toEqual({ day: { starts: '07:30', ends: '19:30' }, night: { starts: '19:30', ends: '07:30' } });
  });

  test('with DAY_SHIFT 07:00-19:00 every tier-1 roster starts or ends at 07:00 / 19:00: no hour without tier 1', () => {
    const plan = planDemoCommunity(40, { dayShift: '07:00-19:00' });
    const tier1 = plan.responders.filter((r) => ['grid_worker', 'org_specialist', 'property_duty'].includes(r.role));
    const hours = new Set(tier1.flatMap((r) => r.shifts.map((s) => `${s.starts}-${s.ends}`)));
    expect([...hours].sort()).toEqual(['07:00-19:00', '19:00-07:00']);
  });
});

describe('demo activity history (issue 20 item 11)', () => {
  const now = new Date('2026-12-06T10:30:00+08:00');
  const homes = [planHousehold(0), planHousehold(1)];
  const rows = planActivityHistory(homes, { days: 21, now, tz: 'Asia/Shanghai' });

  test('weeks of daily life for every home, nothing in the future, most of it by day', () => {
    for (const h of homes) {
      const mine = rows.filter((r) => r.householdId === h.id);
      const days = new Set(mine.map((r) => r.ts.toISOString().slice(0, 10)));
      expect(days.size).toBeGreaterThanOrEqual(21);
      expect(mine.length).toBeGreaterThan(21 * 15);
    }
    expect(rows.every((r) => r.ts.getTime() < now.getTime())).toBe(true);
    const localHour = (d: Date) => (d.getUTCHours() + 8) % 24;
    const night = rows.filter((r) => r.type === 'motion' && (localHour(r.ts) >= 23 || localHour(r.ts) < 5)).length;
    expect(night / rows.length).toBeLessThan(0.05);
  });

  test('the same plan every time (a rerun seeds the same rows)', () => {
    expect(planActivityHistory(homes, { days: 21, now, tz: 'Asia/Shanghai' })).toEqual(rows);
  });
});
