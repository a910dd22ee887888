import { describe, expect, it } from 'vitest';
import { onDutyAt, rosteredAt, type Responder, type RosterRow } from '../../domain/roster.js';

const SH = 'Asia/Shanghai';
// Shanghai is UTC+8 all year. 2026-03-02 is a Monday.
const local = (date: string, time: string) => new Date(`${date}T${time}+08:00`);

function responder(id: string, over: Partial<Responder> = {}): Responder {
  return { id, role: 'grid_worker', gridIds: [], buildingIds: [], householdIds: [], onDuty: true, active: true, ...over };
}
const weekly = (responderId: string, weekday: number, starts: string, ends: string): RosterRow =>
  ({ responderId, weekday, onDate: null, starts, ends, offDuty: false });
const dated = (responderId: string, onDate: string, starts: string, ends: string, offDuty = false): RosterRow =>
  ({ responderId, weekday: null, onDate, starts, ends, offDuty });

const at = (responders: Responder[], rows: RosterRow[], date: string, time: string) =>
  [...onDutyAt(responders, rows, local(date, time), SH)].sort();

describe('weekly pattern', () => {
  const people = [responder('mon-day'), responder('tue-day')];
  const rows = [weekly('mon-day', 1, '08:00', '20:00'), weekly('tue-day', 2, '08:00:00', '20:00:00')];

  it('puts people on duty inside [starts, ends) of their weekday, in local time', () => {
    expect(at(people, rows, '2026-03-02', '07:59:59')).toEqual([]);
    expect(at(people, rows, '2026-03-02', '08:00:00')).toEqual(['mon-day']);
    expect(at(people, rows, '2026-03-02', '19:59:59')).toEqual(['mon-day']);
    expect(at(people, rows, '2026-03-02', '20:00:00')).toEqual([]);
    expect(at(people, rows, '2026-03-03', '12:00:00')).toEqual(['tue-day']);
  });

  it('uses the local weekday: Monday 00:30 in Shanghai is Sunday in UTC', () => {
    const sundayUtc = [responder('mon-early')];
    const r = [weekly('mon-early', 1, '00:00', '06:00')];
    expect(local('2026-03-02', '00:30').getUTCDay()).toBe(0);
    expect(at(sundayUtc, r, '2026-03-02', '00:30')).toEqual(['mon-early']);
  });

  it('a responder may have several rows on one day (split shift)', () => {
    const r = [weekly('a', 1, '08:00', '12:00'), weekly('a', 1, '14:00', '18:00')];
    expect(at([responder('a')], r, '2026-03-02', '11:00')).toEqual(['a']);
    expect(at([responder('a')], r, '2026-03-02', '13:00')).toEqual([]);
    expect(at([responder('a')], r, '2026-03-02', '15:00')).toEqual(['a']);
  });
});

describe('shifts crossing midnight', () => {
  const people = [responder('night', { role: 'property_duty' })];
  const rows = [weekly('night', 1, '20:00', '08:00')]; // Monday night only

  it('count from the previous local day\'s pattern after midnight', () => {
    expect(at(people, rows, '2026-03-02', '19:59')).toEqual([]);
    expect(at(people, rows, '2026-03-02', '20:00')).toEqual(['night']);
    expect(at(people, rows, '2026-03-02', '23:59:59')).toEqual(['night']);
    expect(at(people, rows, '2026-03-03', '00:00')).toEqual(['night']); // Tuesday, by Monday's row
    expect(at(people, rows, '2026-03-03', '07:59:59')).toEqual(['night']);
    expect(at(people, rows, '2026-03-03', '08:00')).toEqual([]);
    // Monday's early hours belong to Sunday's pattern, which has no row.
    expect(at(people, rows, '2026-03-02', '03:00')).toEqual([]);
  });

  it('a row with starts = ends is a full 24 h from its start', () => {
    const r = [weekly('x', 1, '08:00', '08:00')];
    expect(at([responder('x')], r, '2026-03-02', '07:59')).toEqual([]);
    expect(at([responder('x')], r, '2026-03-02', '08:00')).toEqual(['x']);
    expect(at([responder('x')], r, '2026-03-03', '07:59')).toEqual(['x']);
    expect(at([responder('x')], r, '2026-03-03', '08:00')).toEqual([]);
  });

  it('a night that ends at 00:00 ends at midnight', () => {
    const r = [weekly('x', 1, '20:00', '00:00')];
    expect(at([responder('x')], r, '2026-03-02', '23:59')).toEqual(['x']);
    expect(at([responder('x')], r, '2026-03-03', '00:00')).toEqual([]);
  });
});

describe('dated overrides', () => {
  const people = [responder('a'), responder('b')];
  const base = [weekly('a', 1, '08:00', '20:00'), weekly('b', 1, '08:00', '20:00')];

  it('a dated row replaces the weekly pattern of that date only', () => {
    const rows = [...base, dated('a', '2026-03-02', '12:00', '16:00')];
    expect(at(people, rows, '2026-03-02', '09:00')).toEqual(['b']);
    expect(at(people, rows, '2026-03-02', '13:00')).toEqual(['a', 'b']);
    expect(at(people, rows, '2026-03-09', '09:00')).toEqual(['a', 'b']); // next Monday: weekly again
  });

  it('a dated row adds duty on a day without a weekly row', () => {
    const rows = [...base, dated('a', '2026-03-04', '20:00', '08:00')];
    expect(at(people, rows, '2026-03-04', '21:00')).toEqual(['a']);
    expect(at(people, rows, '2026-03-05', '07:00')).toEqual(['a']);
  });

  it('an off_duty override removes them for that date', () => {
    const rows = [...base, dated('a', '2026-03-02', '00:00', '00:00', true)];
    expect(at(people, rows, '2026-03-02', '09:00')).toEqual(['b']);
    expect(at(people, rows, '2026-03-09', '09:00')).toEqual(['a', 'b']);
  });

  it('an off_duty override of any times replaces the whole date\'s weekly pattern', () => {
    const rows = [...base, dated('a', '2026-03-02', '08:00', '09:00', true)];
    expect(at(people, rows, '2026-03-02', '15:00')).toEqual(['b']);
  });

  it('on + off overrides on one date make a partial day', () => {
    const rows = [...base, dated('a', '2026-03-02', '08:00', '20:00'), dated('a', '2026-03-02', '12:00', '14:00', true)];
    expect(at(people, rows, '2026-03-02', '11:59')).toEqual(['a', 'b']);
    expect(at(people, rows, '2026-03-02', '12:00')).toEqual(['b']);
    expect(at(people, rows, '2026-03-02', '14:00')).toEqual(['a', 'b']);
  });

  it('the night-crossing tail of yesterday\'s shift follows yesterday\'s rows', () => {
    const night = [weekly('n', 1, '20:00', '08:00')];
    // Off on Monday: Monday's night (and so its Tuesday tail) is gone.
    expect(at([responder('n')], [...night, dated('n', '2026-03-02', '00:00', '00:00', true)], '2026-03-03', '03:00')).toEqual([]);
    // Off on Tuesday daytime only: Monday night's tail still counts.
    expect(at([responder('n')], [...night, dated('n', '2026-03-03', '08:00', '20:00', true)], '2026-03-03', '03:00')).toEqual(['n']);
    // Off all of Tuesday: the absence window covers the tail too.
    expect(at([responder('n')], [...night, dated('n', '2026-03-03', '00:00', '00:00', true)], '2026-03-03', '03:00')).toEqual([]);
  });

  it('tolerates on_date given as a full ISO timestamp', () => {
    const rows = [...base, dated('a', '2026-03-02T00:00:00.000Z', '00:00', '00:00', true)];
    expect(at(people, rows, '2026-03-02', '09:00')).toEqual(['b']);
  });
});

describe('availability switches', () => {
  const rows = [weekly('off', 1, '08:00', '20:00'), weekly('gone', 1, '08:00', '20:00'), weekly('ok', 1, '08:00', '20:00')];
  const people = [responder('off', { onDuty: false }), responder('gone', { active: false }), responder('ok')];

  it('inactive responders and those switched off duty are never on duty', () => {
    expect(at(people, rows, '2026-03-02', '09:00')).toEqual(['ok']);
    expect(at([responder('x', { active: false })], [], '2026-03-02', '09:00')).toEqual([]);
  });

  it('a responder without any roster row is on duty while switched on, unless told otherwise', () => {
    expect(at([responder('free')], [], '2026-03-02', '03:00')).toEqual(['free']);
    expect([...onDutyAt([responder('free')], [], local('2026-03-02', '03:00'), SH, { rosterlessOnDuty: false })]).toEqual([]);
  });

  it('rows of unknown responders are ignored', () => {
    expect(at([responder('ok')], [weekly('ghost', 1, '00:00', '00:00')], '2026-03-02', '09:00')).toEqual(['ok']);
  });
});

describe('DST zone (America/New_York)', () => {
  it('wall-clock shifts follow the local clock on the spring-forward day', () => {
    const rows = [weekly('n', 6, '20:00', '08:00')]; // Saturday 2026-03-07 night
    const ny = (iso: string) => [...onDutyAt([responder('n')], rows, new Date(iso), 'America/New_York')];
    expect(ny('2026-03-08T01:00:00Z')).toEqual(['n']); // Sat 20:00 EST
    expect(ny('2026-03-08T11:59:59Z')).toEqual(['n']); // Sun 07:59:59 EDT
    expect(ny('2026-03-08T12:00:00Z')).toEqual([]);   // Sun 08:00 EDT
  });
});

describe('rosteredAt', () => {
  it('is the per-responder rule on a local date and second of day', () => {
    const rows = [weekly('a', 1, '20:00', '08:00')];
    expect(rosteredAt(rows, '2026-03-03', 3 * 3600)).toBe(true);
    expect(rosteredAt(rows, '2026-03-03', 9 * 3600)).toBe(false);
  });
});
