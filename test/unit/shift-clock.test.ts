import { describe, expect, it } from 'vitest';
import {
  addDays, inWindow, isDayShift, localTimeParts, nextShiftBoundary, parseShift, parseTimeOfDay,
  shiftOf, utcOffsetMs, wallClockInstants, weekdayOf,
} from '../../domain/shift-clock.js';

const SH = 'Asia/Shanghai';
const NY = 'America/New_York';
const DAY = '08:00-20:00';
const utc = (iso: string) => new Date(iso);

describe('parsing', () => {
  it('parses HH:MM and HH:MM:SS (PostgreSQL time text) and 24:00', () => {
    expect(parseTimeOfDay('08:00')).toBe(8 * 3600);
    expect(parseTimeOfDay('23:59:59')).toBe(86_399);
    expect(parseTimeOfDay('7:05')).toBe(7 * 3600 + 300);
    expect(parseTimeOfDay('24:00')).toBe(86_400);
    for (const bad of ['', '8', '25:00', '12:60', '12:00:60', '24:01', 'noon']) {
      expect(() => parseTimeOfDay(bad), bad).toThrow(RangeError);
    }
  });

  it('parses DAY_SHIFT and refuses an empty night', () => {
    expect(parseShift('08:00-20:00')).toEqual({ startS: 28_800, endS: 72_000 });
    expect(parseShift('20:00-06:00')).toEqual({ startS: 72_000, endS: 21_600 });
    expect(() => parseShift('08:00-08:00')).toThrow(/different times/);
    expect(() => parseShift('08:00')).toThrow(RangeError);
  });

  it('windows are [start, end) and wrap when end <= start', () => {
    const day = parseShift(DAY);
    expect(inWindow(8 * 3600 - 1, day)).toBe(false);
    expect(inWindow(8 * 3600, day)).toBe(true);
    expect(inWindow(20 * 3600 - 1, day)).toBe(true);
    expect(inWindow(20 * 3600, day)).toBe(false);
    const wrap = parseShift('20:00-06:00');
    expect(inWindow(23 * 3600, wrap)).toBe(true);
    expect(inWindow(0, wrap)).toBe(true);
    expect(inWindow(6 * 3600, wrap)).toBe(false);
    expect(inWindow(12 * 3600, wrap)).toBe(false);
    expect(inWindow(0, { startS: 0, endS: 0 })).toBe(true); // equal = 24 h (roster rows)
  });

  it('does calendar arithmetic across months, years and leap days', () => {
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
    expect(addDays('2028-03-01', -1)).toBe('2028-02-29');
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(weekdayOf('2026-03-01')).toBe(0); // a Sunday
  });
});

describe('localTimeParts', () => {
  it('takes the weekday from the local date, not UTC (Shanghai midnight is 16:00Z)', () => {
    // 2026-03-01 is a Sunday; 16:00Z Sunday is 00:00 Monday in Shanghai.
    expect(localTimeParts(utc('2026-03-01T15:59:59Z'), SH)).toEqual({ weekday: 0, minutes: 1439, seconds: 86_399, date: '2026-03-01' });
    expect(localTimeParts(utc('2026-03-01T16:00:00Z'), SH)).toEqual({ weekday: 1, minutes: 0, seconds: 0, date: '2026-03-02' });
    expect(utc('2026-03-01T16:00:00Z').getUTCDay()).toBe(0);
  });

  it('handles zones behind UTC and half-hour offsets', () => {
    expect(localTimeParts(utc('2026-03-02T03:00:00Z'), NY)).toMatchObject({ weekday: 0, date: '2026-03-01', minutes: 22 * 60 });
    expect(localTimeParts(utc('2026-03-01T18:30:00Z'), 'Asia/Kolkata')).toMatchObject({ date: '2026-03-02', minutes: 0 });
    expect(utcOffsetMs(utc('2026-03-01T00:00:00Z'), 'Asia/Kolkata')).toBe(5.5 * 3600_000);
  });

  it('reads the wall clock across a New York DST spring-forward (02:00 → 03:00)', () => {
    expect(localTimeParts(utc('2026-03-08T06:59:59Z'), NY)).toMatchObject({ date: '2026-03-08', seconds: 2 * 3600 - 1 });
    expect(localTimeParts(utc('2026-03-08T07:00:00Z'), NY)).toMatchObject({ date: '2026-03-08', seconds: 3 * 3600 });
    expect(utcOffsetMs(utc('2026-03-08T06:59:59Z'), NY)).toBe(-5 * 3600_000);
    expect(utcOffsetMs(utc('2026-03-08T07:00:00Z'), NY)).toBe(-4 * 3600_000);
  });
});

describe('isDayShift and shiftOf in Asia/Shanghai (DST-free)', () => {
  // Shanghai = UTC+8: local 08:00 on 2026-03-02 is 00:00Z, 20:00 is 12:00Z.
  const cases: Array<[string, string, boolean, string]> = [
    ['07:59', '2026-03-01T23:59:00Z', false, '2026-03-01'],
    ['08:00', '2026-03-02T00:00:00Z', true, '2026-03-02'],
    ['19:59', '2026-03-02T11:59:00Z', true, '2026-03-02'],
    ['20:00', '2026-03-02T12:00:00Z', false, '2026-03-02'],
    ['23:59', '2026-03-02T15:59:00Z', false, '2026-03-02'],
    ['00:00 next day', '2026-03-02T16:00:00Z', false, '2026-03-02'],
    ['03:00 next day', '2026-03-02T19:00:00Z', false, '2026-03-02'],
    ['07:59:59 next day', '2026-03-02T23:59:59Z', false, '2026-03-02'],
    ['08:00 next day', '2026-03-03T00:00:00Z', true, '2026-03-03'],
  ];
  it.each(cases)('local %s (%s): day=%s, shift date %s', (_label, iso, day, date) => {
    expect(isDayShift(utc(iso), SH, DAY)).toBe(day);
    expect(shiftOf(utc(iso), SH, DAY)).toEqual({ shift: day ? 'day' : 'night', date });
  });

  it('accepts a parsed window as well as the text', () => {
    expect(isDayShift(utc('2026-03-02T00:00:00Z'), SH, parseShift(DAY))).toBe(true);
  });
});

describe('a day shift that crosses midnight (20:00-06:00)', () => {
  const W = '20:00-06:00';
  it('is day from 20:00 to 06:00 and belongs to the date it started', () => {
    expect(isDayShift(utc('2026-03-02T11:59:00Z'), SH, W)).toBe(false); // 19:59
    expect(shiftOf(utc('2026-03-02T12:00:00Z'), SH, W)).toEqual({ shift: 'day', date: '2026-03-02' }); // 20:00 Mon
    expect(shiftOf(utc('2026-03-02T18:00:00Z'), SH, W)).toEqual({ shift: 'day', date: '2026-03-02' }); // 02:00 Tue
    expect(shiftOf(utc('2026-03-02T22:00:00Z'), SH, W)).toEqual({ shift: 'night', date: '2026-03-03' }); // 06:00 Tue
    expect(shiftOf(utc('2026-03-03T04:00:00Z'), SH, W)).toEqual({ shift: 'night', date: '2026-03-03' }); // 12:00 Tue
  });
  it('finds its boundaries', () => {
    expect(nextShiftBoundary(utc('2026-03-03T04:00:00Z'), SH, W)).toEqual(utc('2026-03-03T12:00:00Z'));
    expect(nextShiftBoundary(utc('2026-03-03T15:00:00Z'), SH, W)).toEqual(utc('2026-03-03T22:00:00Z'));
  });
});

describe('nextShiftBoundary', () => {
  it('returns the next switch strictly after the instant (Shanghai)', () => {
    expect(nextShiftBoundary(utc('2026-03-01T23:59:00Z'), SH, DAY)).toEqual(utc('2026-03-02T00:00:00Z'));
    expect(nextShiftBoundary(utc('2026-03-02T00:00:00Z'), SH, DAY)).toEqual(utc('2026-03-02T12:00:00Z'));
    expect(nextShiftBoundary(utc('2026-03-02T12:00:00Z'), SH, DAY)).toEqual(utc('2026-03-03T00:00:00Z'));
    expect(nextShiftBoundary(utc('2026-03-02T19:00:00.123Z'), SH, DAY)).toEqual(utc('2026-03-03T00:00:00Z'));
  });

  it('New York spring-forward: the night before is 11 h long', () => {
    // Sat 2026-03-07 20:00 EST = 03-08T01:00Z; Sun 08:00 EDT = 12:00Z.
    expect(nextShiftBoundary(utc('2026-03-08T01:00:00Z'), NY, DAY)).toEqual(utc('2026-03-08T12:00:00Z'));
    expect(shiftOf(utc('2026-03-08T07:30:00Z'), NY, DAY)).toEqual({ shift: 'night', date: '2026-03-07' });
    // Sun 20:00 EDT = 03-09T00:00Z.
    expect(nextShiftBoundary(utc('2026-03-08T12:00:00Z'), NY, DAY)).toEqual(utc('2026-03-09T00:00:00Z'));
  });

  it('New York fall-back: the night before is 13 h long and the repeated hour stays in it', () => {
    // Sat 2026-10-31 20:00 EDT = 11-01T00:00Z; Sun 08:00 EST = 13:00Z.
    expect(nextShiftBoundary(utc('2026-11-01T00:00:00Z'), NY, DAY)).toEqual(utc('2026-11-01T13:00:00Z'));
    expect(shiftOf(utc('2026-11-01T05:30:00Z'), NY, DAY)).toEqual({ shift: 'night', date: '2026-10-31' }); // 01:30 EDT
    expect(shiftOf(utc('2026-11-01T06:30:00Z'), NY, DAY)).toEqual({ shift: 'night', date: '2026-10-31' }); // 01:30 EST
  });

  it('a boundary inside the spring-forward gap happens at the jump', () => {
    // 02:30 does not exist on 2026-03-08 in New York; the clock jumps 01:59:59 EST → 03:00 EDT at 07:00Z.
    expect(wallClockInstants('2026-03-08', 2.5 * 3600, NY)).toEqual([utc('2026-03-08T07:00:00Z')]);
    expect(nextShiftBoundary(utc('2026-03-08T06:00:00Z'), NY, '02:30-20:00')).toEqual(utc('2026-03-08T07:00:00Z'));
    expect(isDayShift(utc('2026-03-08T06:59:59Z'), NY, '02:30-20:00')).toBe(false);
    expect(isDayShift(utc('2026-03-08T07:00:00Z'), NY, '02:30-20:00')).toBe(true);
  });

  it('a boundary inside the repeated fall-back hour follows the wall clock, both times', () => {
    expect(wallClockInstants('2026-11-01', 1.5 * 3600, NY)).toEqual([utc('2026-11-01T05:30:00Z'), utc('2026-11-01T06:30:00Z')]);
    const W = '01:30-20:00';
    expect(nextShiftBoundary(utc('2026-11-01T05:00:00Z'), NY, W)).toEqual(utc('2026-11-01T05:30:00Z'));
    // At 06:00Z the clock goes back from 01:59:59 EDT to 01:00 EST, before 01:30 again.
    expect(nextShiftBoundary(utc('2026-11-01T05:30:00Z'), NY, W)).toEqual(utc('2026-11-01T06:00:00Z'));
    expect(nextShiftBoundary(utc('2026-11-01T06:00:00Z'), NY, W)).toEqual(utc('2026-11-01T06:30:00Z'));
  });

  // The reference: scan minute by minute for the first change of isDayShift.
  function bruteForce(from: Date, tz: string, shift: string): Date {
    const current = isDayShift(from, tz, shift);
    let t = Math.floor(from.getTime() / 60_000) * 60_000 + 60_000;
    for (; ; t += 60_000) if (isDayShift(new Date(t), tz, shift) !== current) return new Date(t);
  }

  const sweeps: Array<[string, string, string]> = [
    [NY, '2026-03-07T12:00:00Z', DAY], [NY, '2026-10-31T12:00:00Z', DAY], [NY, '2026-03-07T12:00:00Z', '01:30-02:30'],
    [NY, '2026-10-31T12:00:00Z', '01:15-22:00'], ['Europe/London', '2026-03-28T12:00:00Z', '00:30-01:30'],
    ['Australia/Lord_Howe', '2026-04-04T00:00:00Z', '01:45-08:00'], [SH, '2026-03-01T00:00:00Z', '20:00-06:00'],
  ];
  it.each(sweeps)('agrees with a minute-by-minute scan (%s from %s, %s)', (tz, startIso, shift) => {
    const start = utc(startIso).getTime();
    for (let t = start; t < start + 40 * 3600_000; t += 97 * 60_000 + 13_000) {
      const from = new Date(t);
      expect(nextShiftBoundary(from, tz, shift), `${from.toISOString()}`).toEqual(bruteForce(from, tz, shift));
    }
  });
});

it('the per-minute memo gives the same wall clock as ICU, also in minutes around a transition', () => {
  const zones = ['Asia/Shanghai', 'America/New_York', 'Europe/London', 'Australia/Lord_Howe', 'Asia/Kathmandu'];
  // New York springs forward at 2026-03-08 07:00 UTC, London at 03-29 01:00 UTC, Lord Howe (30 min) falls back at 04-04 15:00 UTC.
  const starts = [Date.UTC(2026, 2, 8, 6, 59), Date.UTC(2026, 2, 29, 0, 59), Date.UTC(2026, 3, 4, 14, 59), Date.UTC(2026, 4, 12, 2, 0)];
  const icu = (t: number, tz: string) => {
    const f: Record<string, number> = {};
    for (const p of new Intl.DateTimeFormat('en-US', { timeZone: tz, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' }).formatToParts(new Date(t))) {
      if (p.type !== 'literal') f[p.type] = Number(p.value);
    }
    return f as Record<'year' | 'month' | 'day' | 'hour' | 'minute' | 'second', number>;
  };
  for (const tz of zones) {
    for (const start of starts) {
      for (let k = 0; k < 3; k++) { // asked repeatedly: the memo is filled, then used
        for (const ds of [0, 1, 29_500, 59_999, 60_000, 61_000, 119_999]) {
          const t = start + ds;
          const w = icu(t, tz);
          const p = localTimeParts(new Date(t), tz);
          expect(p.date).toBe(`${w.year}-${String(w.month).padStart(2, '0')}-${String(w.day).padStart(2, '0')}`);
          expect(p.seconds).toBe(w.hour * 3600 + w.minute * 60 + w.second);
          expect(p.weekday).toBe(new Date(Date.UTC(w.year, w.month - 1, w.day)).getUTCDay());
          expect(utcOffsetMs(new Date(t), tz)).toBe(Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second) - Math.floor(t / 1000) * 1000);
        }
      }
    }
  }
});
