/**
 * "No water all morning" (issue 19 item 3, homes with a water meter): a resident who is home
 * washes, boils water or flushes by a time that is their own. The line is the minute by which
 * this home had used water on 9 of 10 mornings over the learned days, plus a margin; past it,
 * with no water today, at home (not away, not out through the front door), a check-in starts —
 * never an alert directly. Pure: the caller brings the minutes from SQL.
 */
export const WATER_MARGIN_MIN = 45;
/** As room-aware silence (MIN_HISTORY_DAYS there; not imported: that module renders this one's sentence). */
export const WATER_MIN_HISTORY_DAYS = 14;
/** Only a morning habit counts: first uses after noon are not "the morning". */
export const MORNING_END_MIN = 12 * 60;
/** The habit must hold on most learned days (a home that often skips water by noon gets no line). */
export const WATER_HABIT_SHARE = 0.8;

export interface WaterMorningInput {
  /** Local minute of day now. */
  nowMin: number;
  /** Local minute of the first water use on each learned day that had one before noon. */
  firstUseMins: readonly number[];
  /** Days of history learned (days with any signal). */
  historyDays: number;
  usedToday: boolean;
  away: boolean;
  /** The last sign of life today was the front door (gone out). */
  wentOut: boolean;
}

export interface WaterExplanation { usualByMin: number; lineMin: number; nowMin: number; historyDays: number; days: number }

export type WaterVerdict =
  | { kind: 'none'; why: 'no_history' | 'no_habit' | 'used' | 'away' | 'out' | 'not_yet' | 'afternoon' }
  | { kind: 'check'; explanation: WaterExplanation };

export function assessWaterMorning(p: WaterMorningInput): WaterVerdict {
  if (p.historyDays < WATER_MIN_HISTORY_DAYS) return { kind: 'none', why: 'no_history' };
  const mornings = p.firstUseMins.filter((m) => m < MORNING_END_MIN).sort((a, b) => a - b);
  if (mornings.length < Math.ceil(p.historyDays * WATER_HABIT_SHARE)) return { kind: 'none', why: 'no_habit' };
  if (p.usedToday) return { kind: 'none', why: 'used' };
  if (p.away) return { kind: 'none', why: 'away' };
  if (p.wentOut) return { kind: 'none', why: 'out' };
  const usualByMin = mornings[Math.min(mornings.length - 1, Math.ceil(mornings.length * 0.9) - 1)]!;
  const lineMin = usualByMin + WATER_MARGIN_MIN;
  if (p.nowMin < lineMin) return { kind: 'none', why: 'not_yet' };
  // A line missed by hours (the dispatcher was down all morning) is no longer "this morning".
  if (p.nowMin >= MORNING_END_MIN + 2 * 60) return { kind: 'none', why: 'afternoon' };
  return { kind: 'check', explanation: { usualByMin, lineMin, nowMin: p.nowMin, historyDays: p.historyDays, days: mornings.length } };
}

const hhmm = (m: number) => `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;

export function explainWaterMorning(e: WaterExplanation): { zh: string; en: string } {
  return {
    zh: `今天到 ${hhmm(e.nowMin)} 仍未用水；平时 ${e.historyDays} 天中九成的早上在 ${hhmm(e.usualByMin)} 前已用水，已过 ${WATER_MARGIN_MIN} 分钟余量`,
    en: `no water used by ${hhmm(e.nowMin)} today; on 9 of 10 mornings over ${e.historyDays} days water was used by ${hhmm(e.usualByMin)}, ${WATER_MARGIN_MIN} min margin passed`,
  };
}
