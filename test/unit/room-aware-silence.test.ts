import { describe, expect, it } from 'vitest';
import { checkInPlan, DAY_GRACE_S, NIGHT_GRACE_S } from '../../domain/check-in-stages.js';
import {
  assessSilence, explainSilence, explainStatic, IN_BED_KEY, lineAbove, usualSilence, WANDER_AFTER_MS, type RecentSignal, type SilenceBaseline, type SilenceInput,
} from '../../domain/room-aware-silence.js';

/**
 * The learned silence rule (issue 19) on synthetic baselines: which silence is unusual depends on
 * the room and the hour of the last sign of life; the door means away (or, at night, wandering);
 * a home without enough history keeps the static thresholds.
 */
const TZ = 'Asia/Shanghai';
/** Local time on 2026-03-10 in Shanghai (UTC+8) as epoch ms. */
const at = (hh: number, mm = 0, dayOffset = 0) => Date.UTC(2026, 2, 10 + dayOffset, hh - 8, mm);
const MIN = 60_000;

/** A home whose living room is busy by day (next sign within 20-35 min) and bathroom visits short. */
function baselines(): SilenceBaseline[] {
  const out: SilenceBaseline[] = [];
  for (let hour = 7; hour < 21; hour++) out.push({ room: '客厅', hour, samples: 80, gapP99S: 35 * 60 });
  for (let hour = 6; hour < 22; hour++) out.push({ room: '卫生间', hour, samples: 30, gapP99S: 18 * 60 });
  // Bedtime bathroom visit: the night's sleep follows it.
  out.push({ room: '卫生间', hour: 21, samples: 28, gapP99S: 9.5 * 3600 });
  out.push({ room: '卧室', hour: 21, samples: 28, gapP99S: 10 * 3600 });
  out.push({ room: '卧室', hour: 2, samples: 10, gapP99S: 5 * 60 });
  return out;
}

const RHYTHM = { enoughHistory: true, historyDays: 28, wakeP99Min: 6 * 60 + 50, bedMedianMin: 21 * 60 + 30 };

function input(signals: RecentSignal[], now: number, over: Partial<SilenceInput> = {}): SilenceInput {
  return { now, tz: TZ, signals, baselines: baselines(), rhythm: RHYTHM, sensitivity: 'normal', recentAlertAt: null, ...over };
}

describe('room-aware silence', () => {
  it('a living-room silence by day is unusual after the p99 + 4 min of that hour, not after hours', () => {
    const last = { at: at(10, 0), room: '客厅', type: 'motion' };
    const threshold = lineAbove(35 * 60, 'normal');
    const quiet = assessSilence(input([last], at(10, 0) + (threshold - 60) * 1000));
    expect(quiet.kind).toBe('quiet');
    const check = assessSilence(input([last], at(10, 0) + threshold * 1000));
    expect(check).toMatchObject({ kind: 'check', reason: 'room_silence', explanation: { room: 'living', thresholdS: threshold, usualS: 2100 } });
  });

  it('a bathroom silence by day has its own, shorter line (with the 10 min floor below it)', () => {
    const v = assessSilence(input([{ at: at(7, 10), room: '卫生间', type: 'presence' }], at(7, 10) + 25 * MIN));
    expect(v).toMatchObject({ kind: 'check', explanation: { room: 'bathroom', thresholdS: 18 * 60 + 240 } });
  });

  it('sensitivity moves the line: high is tighter, low looser', () => {
    const last = { at: at(10, 0), room: '客厅', type: 'motion' };
    const t = (s: 'low' | 'normal' | 'high') => {
      const v = assessSilence(input([last], at(10, 0) + 60_000, { sensitivity: s }));
      return v.kind === 'quiet' ? v.explanation.thresholdS : -1;
    };
    expect(t('high')).toBeLessThan(t('normal'));
    expect(t('normal')).toBeLessThan(t('low'));
  });

  it('at night the silence after going to bed lasts until the usual wake-up + 30 min: not up', () => {
    const last = { at: at(21, 40), room: '卧室', type: 'bed' };
    const wakeDeadline = at(7, 20, 1); // wake p99 06:50 + 30 min, next morning
    expect(assessSilence(input([last], wakeDeadline - MIN)).kind).toBe('quiet');
    const v = assessSilence(input([last], wakeDeadline));
    expect(v).toMatchObject({ kind: 'check', reason: 'not_up' });
    if (v.kind === 'check') expect(v.explanation.thresholdS).toBe((wakeDeadline - last.at) / 1000);
  });

  it('a night bathroom visit that does not end is its own reason, on the bathroom line of that hour', () => {
    const sigs = [{ at: at(2, 10), room: '卫生间', type: 'presence' }];
    // No bathroom baseline at 02:00 (few night visits): the night part's worst applies, still bounded by wake-up.
    const v = assessSilence(input(sigs, at(7, 20)));
    expect(v.kind).toBe('check');
    if (v.kind === 'check') expect(['night_bathroom', 'not_up']).toContain(v.reason);
    const b = baselines().concat([{ room: '卫生间', hour: 2, samples: 12, gapP99S: 6 * 60 }]);
    const short = assessSilence(input(sigs, at(2, 10) + 21 * MIN, { baselines: b }));
    expect(short).toMatchObject({ kind: 'check', reason: 'night_bathroom', explanation: { thresholdS: 20 * 60 } });
  });

  it('left through the front door after indoor activity: away, not silent — by day for as long as its outings usually last', () => {
    const sigs = [
      { at: at(9, 30, 0) + 20_000, room: '入户门', type: 'door' }, { at: at(9, 30), room: '入户门', type: 'door' },
      { at: at(9, 10), room: '客厅', type: 'motion' },
    ];
    expect(assessSilence(input(sigs, at(13, 0)))).toEqual({ kind: 'static', why: 'no_baseline' }); // no outing learned: the static line
    const b = baselines().concat([{ room: '入户门', hour: 9, samples: 20, gapP99S: 110 * 60 }]);
    expect(assessSilence(input(sigs, at(11, 0), { baselines: b }))).toEqual({ kind: 'away', since: sigs[0]!.at });
    const late = assessSilence(input(sigs, sigs[0]!.at + lineAbove(110 * 60, 'normal') * 1000 + 1000, { baselines: b }));
    expect(late).toMatchObject({ kind: 'check', reason: 'not_back' });
    if (late.kind === 'check') expect(explainSilence(late.explanation, sigs[0]!.at + 120 * MIN, TZ).zh).toBe('09:30 从入户门外出，120 分钟未回；平时此时段外出 ≤ 110 分钟（28 天 p99）');
  });

  it('back through the door (a passage after a passage): the indoor lines apply again', () => {
    const sigs = [
      { at: at(11, 0), room: '入户门', type: 'door' }, { at: at(9, 30), room: '入户门', type: 'door' },
      { at: at(9, 10), room: '客厅', type: 'motion' },
    ];
    expect(assessSilence(input(sigs, at(11, 5))).kind).toBe('quiet');
    expect(assessSilence(input(sigs, at(12, 30))).kind).toBe('check');
  });

  it('a night departure with no return within 20 min is wandering — unless a responder just took the resident', () => {
    const sigs = [{ at: at(1, 0), room: '入户门', type: 'door' }, { at: at(0, 58), room: '卧室', type: 'bed' }];
    expect(assessSilence(input(sigs, at(1, 0) + WANDER_AFTER_MS - MIN)).kind).toBe('away');
    const v = assessSilence(input(sigs, at(1, 0) + WANDER_AFTER_MS));
    expect(v.kind).toBe('wandering');
    expect(assessSilence(input(sigs, at(1, 30), { recentAlertAt: at(0, 40) })).kind).toBe('away');
  });

  it('too little history, or no signal to go by: the static thresholds', () => {
    const last = { at: at(10, 0), room: '客厅', type: 'motion' };
    expect(assessSilence(input([last], at(12, 0), { rhythm: { ...RHYTHM, enoughHistory: false, historyDays: 3 } })))
      .toEqual({ kind: 'static', why: 'no_history' });
    expect(assessSilence(input([last], at(12, 0), { rhythm: null }))).toEqual({ kind: 'static', why: 'no_history' });
    expect(assessSilence(input([], at(12, 0)))).toEqual({ kind: 'static', why: 'no_signal' });
    expect(assessSilence(input([{ at: at(10, 0), room: '阳台', type: 'motion' }], at(12, 0)))).toEqual({ kind: 'static', why: 'no_baseline' });
  });
});

describe('in bed, or up (a bed sensor)', () => {
  /** A home with a bed sensor: out of bed, the next sign comes within minutes; in bed, after the nap or the night. */
  const bedHome = (): SilenceBaseline[] => baselines().filter((b) => b.room !== '卧室').concat([
    { room: '卧室', hour: 6, samples: 28, gapP99S: 3 * 60 }, { room: '卧室', hour: 14, samples: 20, gapP99S: 2 * 60 },
    { room: '卧室', hour: 1, samples: 2, gapP99S: 100 }, { room: '卧室', hour: 3, samples: 3, gapP99S: 90 }, { room: '卧室', hour: 4, samples: 2, gapP99S: 120 },
    { room: IN_BED_KEY, hour: 13, samples: 20, gapP99S: 90 * 60 }, { room: IN_BED_KEY, hour: 21, samples: 28, gapP99S: 9 * 3600 },
    { room: IN_BED_KEY, hour: 2, samples: 5, gapP99S: 3 * 3600 },
  ]);
  const inBed = (t: number) => ({ at: t, room: '卧室', type: 'bed', key: IN_BED_KEY });
  const up = (t: number) => ({ at: t, room: '卧室', type: 'bed', key: '卧室' });

  it('lying down for a nap is judged by the naps; getting up by the minutes that usually follow it', () => {
    expect(assessSilence(input([inBed(at(13, 5))], at(13, 6), { baselines: bedHome() })))
      .toMatchObject({ kind: 'quiet', explanation: { thresholdS: lineAbove(90 * 60, 'normal'), usualS: 90 * 60 } });
    expect(assessSilence(input([up(at(14, 30))], at(14, 31), { baselines: bedHome() })))
      .toMatchObject({ kind: 'quiet', explanation: { thresholdS: 10 * 60, usualS: 2 * 60 } });
  });

  it('out of bed in the night and nothing since: the nights\' own short line (floor 20 min), not the wake-up', () => {
    // 02:00 has too few bed exits of its own (01:00-03:00: 5): the pool is the usual sleep's hours (21:30-06:20), not the evening.
    const v = assessSilence(input([up(at(2, 0))], at(2, 0) + 20 * MIN, { baselines: bedHome() }));
    expect(v).toMatchObject({ kind: 'check', reason: 'room_silence', explanation: { thresholdS: 20 * 60, usualS: 120, samples: 7 } });
    // Back in bed at 02:10: sleep until the usual wake-up + 30 min.
    expect(assessSilence(input([inBed(at(2, 10)), up(at(2, 0))], at(5, 0), { baselines: bedHome() })))
      .toMatchObject({ kind: 'quiet', explanation: { reason: 'not_up' } });
  });
});

describe('answering a check-in', () => {
  it('a button press is judged by the home\'s worst indoor silence by day, and by the wake-up at night — never the button\'s room', () => {
    const day = assessSilence(input([{ at: at(10, 0), room: '客厅', type: 'button' }], at(10, 1)));
    expect(day).toMatchObject({ kind: 'quiet', explanation: { thresholdS: lineAbove(35 * 60, 'normal') } });
    const night = assessSilence(input([{ at: at(1, 0), room: '客厅', type: 'button' }], at(1, 40)));
    expect(night).toMatchObject({ kind: 'quiet', explanation: { reason: 'not_up' } });
    expect(assessSilence(input([{ at: at(1, 0), room: '客厅', type: 'button' }], at(7, 20)))).toMatchObject({ kind: 'check', reason: 'not_up' });
  });

  it('a night that runs longer than any of the last 28 is not a check-in before the usual wake-up + 30 min', () => {
    const b = baselines().map((x) => (x.room === '卧室' && x.hour === 21 ? { ...x, gapP99S: 8 * 3600 } : x));
    const last = { at: at(21, 40), room: '卧室', type: 'bed' };
    expect(assessSilence(input([last], at(21, 40) + 8.5 * 3600_000, { baselines: b })).kind).toBe('quiet');
    expect(assessSilence(input([last], at(7, 20, 1), { baselines: b }))).toMatchObject({ kind: 'check', reason: 'not_up' });
  });

  it('a signal after the usual wake-up is the morning, not a night to wait out', () => {
    const r = { ...RHYTHM, wakeMedianMin: 6 * 60 };
    const v = assessSilence(input([{ at: at(6, 7), room: '卫生间', type: 'presence' }], at(6, 7) + 23 * MIN, { rhythm: r }));
    expect(v).toMatchObject({ kind: 'check', explanation: { thresholdS: 18 * 60 + 240 } });
    if (v.kind === 'check') expect(v.reason).not.toBe('not_up');
  });

  it('the first sign of the morning is not "not up": a bathroom visit near the usual wake-up keeps its own line', () => {
    const r = { ...RHYTHM, wakeMedianMin: 6 * 60 + 20 };
    const v = assessSilence(input([{ at: at(6, 10), room: '卫生间', type: 'presence' }], at(6, 10) + 23 * MIN, { rhythm: r }));
    expect(v).toMatchObject({ kind: 'check', explanation: { thresholdS: 18 * 60 + 240 } });
    if (v.kind === 'check') expect(v.reason).not.toBe('not_up');
  });
});

describe('usual silence pool', () => {
  it('pools the hour with its neighbours and takes the worst p99; too few samples fall back to the day part', () => {
    const b: SilenceBaseline[] = [
      { room: 'r', hour: 10, samples: 3, gapP99S: 100 }, { room: 'r', hour: 11, samples: 4, gapP99S: 300 },
      { room: 'r', hour: 15, samples: 2, gapP99S: 900 },
    ];
    const night = { startMin: 22 * 60, endMin: 6 * 60 };
    expect(usualSilence(b, 'r', 10, night)).toEqual({ p99S: 300, samples: 7 });
    expect(usualSilence(b, 'r', 15, night)).toEqual({ p99S: 900, samples: 9 });
    expect(usualSilence(b, 'r', 3, night)).toBeNull();
  });
});

describe('explanations', () => {
  it('say where, since when, how long, and what is usual, in both languages', () => {
    const e = { reason: 'room_silence' as const, room: 'bathroom' as const, roomName: '卫生间', lastAt: new Date(at(7, 10)).toISOString(),
      usualS: 18 * 60, samples: 30, thresholdS: 1500, historyDays: 28 };
    const t = explainSilence(e, at(8, 2), TZ);
    expect(t.zh).toBe('07:10 在卫生间有活动后 52 分钟无活动；平时此时段在卫生间之后 ≤ 18 分钟就有活动（28 天 p99）');
    expect(t.en).toBe('no movement for 52 min after the bathroom at 07:10; usually the next sign of life comes within 18 min (p99 over 28 days)');
    expect(explainStatic({ quietSince: new Date(at(2, 0)).toISOString(), thresholdS: 21600, historyDays: 3 }, at(8, 0), TZ).zh)
      .toBe('自 02:00 起 360 分钟无活动，超过固定阈值 6 小时（仅 3 天记录，尚未学习作息）');
  });
});

describe('check-in stages', () => {
  it('give a sleeping person longer at 03:00 than by day', () => {
    expect(checkInPlan(new Date(at(3, 0)), TZ).graceS).toEqual(NIGHT_GRACE_S);
    expect(checkInPlan(new Date(at(15, 0)), TZ).graceS).toEqual(DAY_GRACE_S);
    const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);
    expect(sum(DAY_GRACE_S)).toBeLessThan(sum(NIGHT_GRACE_S));
  });
});
