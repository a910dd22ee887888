import { describe, expect, test } from 'vitest';
import { assessWaterMorning, explainWaterMorning, WATER_MARGIN_MIN, type WaterMorningInput } from '../../domain/water-morning.js';
import { explainSilence } from '../../domain/room-aware-silence.js';

/** 28 mornings: first water at 07:00 … 07:27 (one a minute later each day). */
const days28 = Array.from({ length: 28 }, (_, i) => 7 * 60 + i);
const base: WaterMorningInput = { nowMin: 10 * 60, firstUseMins: days28, historyDays: 28, usedToday: false, away: false, wentOut: false };

describe('no water all morning (issue 19 item 3)', () => {
  test('the line is this home\'s 90th-percentile first use + margin; past it, no water, at home → a check-in', () => {
    // ceil(28 × 0.9) = 26th earliest = 07:25; + 45 min = 08:10.
    expect(assessWaterMorning({ ...base, nowMin: 8 * 60 + 9 })).toEqual({ kind: 'none', why: 'not_yet' });
    const v = assessWaterMorning({ ...base, nowMin: 8 * 60 + 10 });
    expect(v).toEqual({ kind: 'check', explanation: { usualByMin: 7 * 60 + 25, lineMin: 7 * 60 + 25 + WATER_MARGIN_MIN, nowMin: 490, historyDays: 28, days: 28 } });
  });

  test('water used today, away mode, or gone out by the front door: no check-in', () => {
    expect(assessWaterMorning({ ...base, usedToday: true })).toEqual({ kind: 'none', why: 'used' });
    expect(assessWaterMorning({ ...base, away: true })).toEqual({ kind: 'none', why: 'away' });
    expect(assessWaterMorning({ ...base, wentOut: true })).toEqual({ kind: 'none', why: 'out' });
  });

  test('too little history, or no morning habit (water by noon on under 80 % of days): no line', () => {
    expect(assessWaterMorning({ ...base, historyDays: 13, firstUseMins: days28.slice(0, 13) })).toEqual({ kind: 'none', why: 'no_history' });
    expect(assessWaterMorning({ ...base, firstUseMins: days28.slice(0, 22) })).toEqual({ kind: 'none', why: 'no_habit' });
    // Afternoon first uses do not make a morning habit.
    expect(assessWaterMorning({ ...base, firstUseMins: days28.map((m) => m + 6 * 60) })).toEqual({ kind: 'none', why: 'no_habit' });
  });

  test('a line missed by hours (dispatcher down all morning) is not "this morning" any more', () => {
    expect(assessWaterMorning({ ...base, nowMin: 14 * 60 })).toEqual({ kind: 'none', why: 'afternoon' });
  });

  test('explained in both languages, also through the silence explanation the alert uses', () => {
    const v = assessWaterMorning({ ...base, nowMin: 8 * 60 + 30 });
    if (v.kind !== 'check') throw new Error('expected a check');
    const text = explainWaterMorning(v.explanation);
    expect(text.zh).toBe('今天到 08:30 仍未用水；平时 28 天中九成的早上在 07:25 前已用水，已过 45 分钟余量');
    expect(text.en).toBe('no water used by 08:30 today; on 9 of 10 mornings over 28 days water was used by 07:25, 45 min margin passed');
    const e = { reason: 'no_water' as const, room: 'kitchen' as const, roomName: null, lastAt: '2026-03-10T00:00:00Z', usualS: null, samples: null, thresholdS: 0, historyDays: 28, water: v.explanation };
    expect(explainSilence(e, Date.parse('2026-03-10T00:30:00Z'), 'Asia/Shanghai')).toEqual(text);
  });
});
